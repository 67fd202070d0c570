import CCurl
import Foundation
import Logging

/// `curl_global_init` runs once per process, the first time a transport is created.
private let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// The libcurl ``Transport``: one `curl_multi` handle driven by one dedicated thread.
///
/// - Threading: `send` hands the request to the curl thread through a lock-protected queue and
///   wakes it with `curl_multi_wakeup`; the curl thread runs every transfer (`curl_multi_poll`,
///   `curl_multi_perform`) and resumes the caller's continuation when it ends. No request ever
///   blocks a thread of the Swift cooperative pool, and there is one thread per transport, not
///   per request.
/// - Connections: keep-alive connections live in the multi handle's connection cache, shared by
///   all transfers; DNS results and TLS sessions live in a share handle. Easy handles are reset
///   and pooled (at most `maxConnections` idle ones).
/// - TLS is always verified (peer and host name); `caFile` only replaces the trust store.
/// - Proxies: `CURLOPT_PROXY` is never set, so libcurl applies `http_proxy`, `https_proxy`,
///   `all_proxy` and `no_proxy` from the environment by itself.
/// - Cancelling the calling task removes the transfer (closing its connection) and throws
///   `CancellationError`.
///
/// Call ``shutdown()`` when done (or use ``withCurlTransport(configuration:logger:isolation:_:)``):
/// it fails requests still running with ``TransportError/Code-swift.struct/shutdown`` and waits
/// for the curl thread to exit. Dropping the last reference also stops the thread, without waiting.
public final class CurlTransport: Transport {
    public let configuration: CurlTransportConfiguration
    private let state: TransportLocked<CurlTransportState>
    private let handles: CurlHandles
    private let logger: Logger

    /// Starts the curl thread. Throws if libcurl cannot be initialised (out of memory, broken install).
    public init(configuration: CurlTransportConfiguration = .init(), logger: Logger) throws(TransportError) {
        guard curlGlobalInitResult == CURLE_OK else {
            throw TransportError(
                code: .other,
                message: "curl_global_init failed: \(String(cString: curl_easy_strerror(curlGlobalInitResult)))",
                curlCode: Int(curlGlobalInitResult.rawValue)
            )
        }
        guard let multi = curl_multi_init() else {
            throw TransportError(code: .other, message: "curl_multi_init failed")
        }
        guard let share = curl_share_init() else {
            curl_multi_cleanup(multi)
            throw TransportError(code: .other, message: "curl_share_init failed")
        }
        // The share handle is used by the curl thread alone, so it needs no lock callbacks.
        // Connections are not put in it: the multi handle's own connection cache already serves
        // every transfer of this transport.
        let maxConnections = max(configuration.maxConnections, 1)
        let isConfigured =
            aws_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue)) == CURLSHE_OK
            && aws_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue)) == CURLSHE_OK
            && aws_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections) == CURLM_OK
            && aws_curl_multi_setopt_long(
                multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(configuration.maxConnectionsPerHost, 1)) == CURLM_OK
            && aws_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections) == CURLM_OK
        guard isConfigured else {
            curl_multi_cleanup(multi)
            curl_share_cleanup(share)
            throw TransportError(code: .other, message: "libcurl refused the connection limits or the share handle options")
        }

        let handles = CurlHandles(multi: multi, share: share)
        let state = TransportLocked(CurlTransportState(maxPendingRequests: max(configuration.maxPendingRequests, 1)))
        self.configuration = configuration
        self.handles = handles
        self.state = state
        self.logger = logger

        let thread = Thread {
            CurlMultiLoop(handles: handles, state: state, configuration: configuration, logger: logger).run()
        }
        thread.name = "aws-realtime.curl"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Sends the request and returns the response, whatever its status.
    ///
    /// Throws ``TransportError`` when no response arrived, or `CancellationError` when the calling
    /// task was cancelled first.
    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let host = try Self.validate(request)
        let id = state.withLock { $0.makeID() }
        defer { state.withLock { $0.forget(id) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                submit(.init(id: id, request: request, host: host, continuation: continuation))
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Stops accepting requests, fails the ones in flight with ``TransportError/Code-swift.struct/shutdown``
    /// and returns once the curl thread has exited and freed its handles. Calling it again is harmless.
    public func shutdown() async {
        stop()
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let isWaiting = state.withLock { $0.addExitWaiter(waiter) }
            if !isWaiting {
                waiter.resume()
            }
        }
    }

    /// Counters for tests and diagnostics.
    var statistics: CurlTransportState.Statistics {
        state.withLock { $0.statistics }
    }

    /// `.stopped` once the curl thread has exited and freed its handles.
    var lifecycle: CurlTransportState.Lifecycle {
        state.withLock { $0.lifecycle }
    }

    // MARK: Hand-over to the curl thread

    private func submit(_ submission: CurlTransportState.Submission) {
        let refusal: (CurlTransportState.Continuation, any Error)? = state.withLock { state in
            switch state.submit(submission) {
            case .wakeCurlThread:
                // Under the lock: the lifecycle is `.running`, so the multi handle is alive.
                _ = curl_multi_wakeup(handles.multi)
                return nil
            case .fail(let continuation, let error):
                return (continuation, error)
            }
        }
        if let (continuation, error) = refusal {
            continuation.resume(throwing: error)
        }
    }

    private func cancel(_ id: UInt64) {
        let queued: CurlTransportState.Continuation? = state.withLock { state in
            switch state.cancel(id) {
            case .none:
                return nil
            case .resume(let continuation):
                return continuation
            case .wakeCurlThread:
                _ = curl_multi_wakeup(handles.multi)
                return nil
            }
        }
        queued?.resume(throwing: CancellationError())
    }

    private func stop() {
        let queued = state.withLock { state in
            let queued = state.requestStop()
            if state.lifecycle == .stopping {
                _ = curl_multi_wakeup(handles.multi)
            }
            return queued
        }
        for submission in queued {
            submission.continuation.resume(throwing: TransportError.shutDown(host: submission.host))
        }
    }
}

/// Runs `body` with a new transport and shuts it down afterwards, however `body` ends.
public func withCurlTransport<Result>(
    configuration: CurlTransportConfiguration = .init(),
    logger: Logger,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CurlTransport) async throws -> Result
) async throws -> Result {
    let transport = try CurlTransport(configuration: configuration, logger: logger)
    do {
        let result = try await body(transport)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}
