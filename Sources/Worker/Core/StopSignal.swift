import AsyncPrimitives
import Synchronization

/// A one-way "stop after the work in hand" signal for graceful shutdown: loops check it
/// between units of work, and sleeps end early when it fires. Task cancellation stays the
/// hard stop.
public final class StopSignal: Sendable {
    private struct State {
        var isStopped = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var isStopped: Bool { state.withLock { $0.isStopped } }

    public func stop() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isStopped = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sleeps for `duration`, or less when the signal fires or the task is cancelled.
    public func sleep(for duration: Duration) async {
        await withTimeout(duration, orElse: ()) { await self.wait() }
    }

    /// Returns when the signal fires (or the task is cancelled).
    func wait() async {
        let id = state.withLock { state -> Int? in
            guard !state.isStopped else { return nil }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isStopped || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
