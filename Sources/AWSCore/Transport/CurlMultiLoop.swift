import CCurl
import Logging

/// The libcurl handles a transport owns, handed to its curl thread once.
struct CurlHandles: @unchecked Sendable {
    // Safe to send: the pointers are created by `CurlTransport.init` and handed to the curl thread
    // before it starts; from then on only the curl thread uses them, except `curl_multi_wakeup`,
    // which libcurl documents as callable from any thread. Wakeups happen only under the state
    // lock while the lifecycle is not `.stopped`, and the curl thread sets `.stopped` under that
    // lock before it calls `curl_multi_cleanup`, so no wakeup can reach a freed multi handle.
    let multi: UnsafeMutableRawPointer
    let share: UnsafeMutableRawPointer
}

/// What runs on the curl thread: one `curl_multi` handle driven by `curl_multi_poll`.
///
/// Everything here is confined to that thread. Other threads only reach it through
/// ``CurlTransportState`` (under its lock) and `curl_multi_wakeup`.
final class CurlMultiLoop {
    private let handles: CurlHandles
    private let state: TransportLocked<CurlTransportState>
    private let configuration: CurlTransportConfiguration
    private let logger: Logger

    /// Transfers added to the multi handle, by easy handle and by id.
    private var transfersByHandle: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var handlesByID: [UInt64: UnsafeMutableRawPointer] = [:]
    /// Reset easy handles ready for the next transfer, at most `configuration.maxConnections`.
    private var idleHandles: [UnsafeMutableRawPointer] = []

    init(
        handles: CurlHandles,
        state: TransportLocked<CurlTransportState>,
        configuration: CurlTransportConfiguration,
        logger: Logger
    ) {
        self.handles = handles
        self.state = state
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until the transport is shut down, then fails what is left and frees every handle.
    func run() {
        state.withLock { $0.statistics.threadsStarted += 1 }
        logger.debug("curl thread started")
        var running: Int32 = 0
        while true {
            let work = state.withLock { $0.takeWork() }
            for submission in work.submissions {
                start(submission)
            }
            for id in work.cancellations {
                cancel(id)
            }
            if work.isStopRequested {
                break
            }
            // Drives every transfer as far as it can go without blocking, then collects the finished ones.
            _ = curl_multi_perform(handles.multi, &running)
            collectFinishedTransfers()
            // Sleeps until a socket is ready, a libcurl timer fires, a wakeup arrives, or 1 s passed.
            var ready: Int32 = 0
            _ = curl_multi_poll(handles.multi, nil, 0, 1000, &ready)
        }
        stop()
    }

    // MARK: Starting and finishing transfers

    private func start(_ submission: CurlTransportState.Submission) {
        let transfer = CurlTransfer(
            id: submission.id,
            host: submission.host,
            continuation: submission.continuation,
            maxResponseBytes: configuration.maxResponseBytes
        )
        guard let easy = takeEasyHandle() else {
            fail(transfer, "curl_easy_init failed")
            return
        }
        do {
            try transfer.configure(easy, for: submission.request, configuration: configuration)
        } catch {
            recycle(easy)
            finish(transfer, with: .failure(error))
            return
        }
        let added = curl_multi_add_handle(handles.multi, easy)
        guard added == CURLM_OK else {
            recycle(easy)
            fail(transfer, "curl_multi_add_handle failed: \(String(cString: curl_multi_strerror(added)))")
            return
        }
        transfersByHandle[easy] = transfer
        handlesByID[transfer.id] = easy
        logger.trace("transfer started", metadata: ["http.transfer.id": "\(transfer.id)", "http.host": "\(transfer.host)"])
    }

    private func collectFinishedTransfers() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handles.multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            guard let transfer = detach(easy) else { continue }
            if result == CURLE_OK {
                var status = 0
                _ = aws_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                let response = AWSHTTPResponse(status: status, headers: transfer.responseHeaders, body: transfer.responseBody)
                recycle(easy)
                finish(transfer, with: .success(response))
            } else {
                let error = TransportError(curlCode: result, transfer: transfer)
                recycle(easy)
                finish(transfer, with: .failure(error))
            }
        }
    }

    /// The task that sent `id` was cancelled: stop its transfer, which closes its connection.
    private func cancel(_ id: UInt64) {
        guard let easy = handlesByID[id], let transfer = detach(easy) else {
            return  // already finished, or never started
        }
        recycle(easy)
        finish(transfer, with: .failure(CancellationError()))
        logger.trace("transfer cancelled", metadata: ["http.transfer.id": "\(id)"])
    }

    /// Removes the transfer from the multi handle and from the tables.
    private func detach(_ easy: UnsafeMutableRawPointer) -> CurlTransfer? {
        guard let transfer = transfersByHandle.removeValue(forKey: easy) else { return nil }
        handlesByID[transfer.id] = nil
        _ = curl_multi_remove_handle(handles.multi, easy)
        return transfer
    }

    /// Resumes the continuation. Called once per transfer, after its easy handle was reset, so
    /// libcurl no longer points at the transfer's memory when it is released.
    private func finish(_ transfer: CurlTransfer, with result: Result<AWSHTTPResponse, any Error>) {
        state.withLock { $0.finished(1) }
        transfer.continuation.resume(with: result)
    }

    private func fail(_ transfer: CurlTransfer, _ reason: String) {
        let message = "Could not start the request to \(transfer.host): \(reason)"
        finish(transfer, with: .failure(TransportError(code: .other, message: message, host: transfer.host)))
    }

    // MARK: Easy handle pool

    private func takeEasyHandle() -> UnsafeMutableRawPointer? {
        if let easy = idleHandles.popLast() {
            return easy
        }
        guard let easy = curl_easy_init() else { return nil }
        // The share handle survives curl_easy_reset: set once per easy handle.
        _ = aws_curl_easy_setopt_share(easy, handles.share)
        state.withLock { $0.statistics.easyHandlesCreated += 1 }
        return easy
    }

    /// Resets the handle (dropping every pointer into a transfer) and keeps it if the pool has room.
    private func recycle(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        if idleHandles.count < max(configuration.maxConnections, 1) {
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    // MARK: Shutdown

    private func stop() {
        for easy in Array(transfersByHandle.keys) {
            guard let transfer = detach(easy) else { continue }
            recycle(easy)
            finish(transfer, with: .failure(TransportError.shutDown(host: transfer.host)))
        }
        for easy in idleHandles {
            curl_easy_cleanup(easy)
        }
        idleHandles.removeAll()
        let waiters = state.withLock { $0.markStopped() }
        curl_multi_cleanup(handles.multi)
        curl_share_cleanup(handles.share)
        logger.debug("curl thread stopped")
        for waiter in waiters {
            waiter.resume()
        }
    }
}
