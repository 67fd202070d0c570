/// What callers and the curl thread share, behind one lock: the hand-over queue, cancellations,
/// the count of requests in flight and the lifecycle.
///
/// A value type whose mutating methods return what the caller must do (resume a continuation,
/// wake the curl thread). Each continuation lives in exactly one place at a time: in `queue`
/// until the curl thread takes it, then in the curl thread's table of active transfers. Whoever
/// removes it from its place resumes it, so it is resumed exactly once.
struct CurlTransportState: Sendable {
    typealias Continuation = CheckedContinuation<AWSHTTPResponse, any Error>

    struct Submission: Sendable {
        var id: UInt64
        var request: AWSHTTPRequest
        var host: String
        var continuation: Continuation
    }

    enum Lifecycle: Sendable, Equatable {
        /// Accepting requests.
        case running
        /// `shutdown()` was called: new requests fail, the curl thread is finishing.
        case stopping
        /// The curl thread has exited and its handles are gone.
        case stopped
    }

    /// What the curl thread picks up on each turn of its loop.
    struct Work: Sendable {
        var submissions: [Submission] = []
        var cancellations: [UInt64] = []
        var isStopRequested = false
    }

    struct Statistics: Sendable, Equatable {
        var threadsStarted = 0
        var easyHandlesCreated = 0
        var transfersCompleted = 0
    }

    enum SubmitAction {
        /// The request is queued: wake the curl thread.
        case wakeCurlThread
        /// The request is refused: resume its continuation with this error.
        case fail(Continuation, any Error)
    }

    enum CancelAction {
        case none
        /// The request was still queued and is now removed: resume it with `CancellationError`.
        case resume(Continuation)
        /// The curl thread may be running it: wake it to remove the transfer.
        case wakeCurlThread
    }

    let maxPendingRequests: Int
    private(set) var lifecycle = Lifecycle.running
    private(set) var outstanding = 0
    var statistics = Statistics()
    private var nextID: UInt64 = 0
    private var queue: [Submission] = []
    private var cancellationsForCurlThread: [UInt64] = []
    /// Ids whose task was cancelled; `send` removes its id when it returns, so this stays small.
    private var cancelledIDs: Set<UInt64> = []
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    init(maxPendingRequests: Int) {
        self.maxPendingRequests = maxPendingRequests
    }

    mutating func makeID() -> UInt64 {
        nextID &+= 1
        return nextID
    }

    mutating func submit(_ submission: Submission) -> SubmitAction {
        guard lifecycle == .running else {
            return .fail(submission.continuation, TransportError.shutDown(host: submission.host))
        }
        guard !cancelledIDs.contains(submission.id) else {
            return .fail(submission.continuation, CancellationError())
        }
        guard outstanding < maxPendingRequests else {
            return .fail(
                submission.continuation,
                TransportError(
                    code: .queueFull,
                    message: "\(maxPendingRequests) requests are already in flight; refusing a request to "
                        + "\(submission.host) (raise maxPendingRequests or slow down)",
                    host: submission.host
                )
            )
        }
        outstanding += 1
        queue.append(submission)
        return .wakeCurlThread
    }

    mutating func cancel(_ id: UInt64) -> CancelAction {
        cancelledIDs.insert(id)
        if let index = queue.firstIndex(where: { $0.id == id }) {
            let submission = queue.remove(at: index)
            outstanding -= 1
            return .resume(submission.continuation)
        }
        guard lifecycle == .running else { return .none }
        cancellationsForCurlThread.append(id)
        return .wakeCurlThread
    }

    /// `send` returned: its id can no longer be cancelled.
    mutating func forget(_ id: UInt64) {
        cancelledIDs.remove(id)
    }

    /// Called by the curl thread: everything handed over since its last turn.
    mutating func takeWork() -> Work {
        defer {
            queue.removeAll(keepingCapacity: true)
            cancellationsForCurlThread.removeAll(keepingCapacity: true)
        }
        return Work(
            submissions: queue,
            cancellations: cancellationsForCurlThread,
            isStopRequested: lifecycle != .running
        )
    }

    /// Called by the curl thread after it resumed `count` transfers.
    mutating func finished(_ count: Int) {
        outstanding -= count
        statistics.transfersCompleted += count
    }

    /// Stops accepting requests; returns the queued ones, which the caller fails.
    mutating func requestStop() -> [Submission] {
        guard lifecycle == .running else { return [] }
        lifecycle = .stopping
        let queued = queue
        queue.removeAll()
        outstanding -= queued.count
        return queued
    }

    /// Returns `false` if the curl thread already exited: resume the waiter yourself.
    mutating func addExitWaiter(_ waiter: CheckedContinuation<Void, Never>) -> Bool {
        guard lifecycle != .stopped else { return false }
        exitWaiters.append(waiter)
        return true
    }

    /// Called by the curl thread before it frees the multi handle; returns the waiters to resume.
    mutating func markStopped() -> [CheckedContinuation<Void, Never>] {
        lifecycle = .stopped
        defer { exitWaiters.removeAll() }
        return exitWaiters
    }
}

extension TransportError {
    static func shutDown(host: String?) -> TransportError {
        TransportError(
            code: .shutdown,
            message: "The transport was shut down" + (host.map { " before the request to \($0) finished" } ?? ""),
            host: host
        )
    }
}
