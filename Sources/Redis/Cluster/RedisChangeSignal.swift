import AsyncPrimitives
import Synchronization

/// A wake-up for one waiting task: ``signal()`` from anywhere (an event loop callback, another
/// task); ``wait(upTo:)`` returns at the first signal, including one sent before it was called.
/// Signals sent while nobody waits collapse into one.
final class RedisChangeSignal: Sendable {
    private struct State {
        var isPending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.isPending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Forgets a signal sent before now.
    func clear() {
        self.state.withLock { $0.isPending = false }
    }

    /// Waits for a signal for at most `timeout`; returns whether one came. Returns at once, with
    /// `false`, when the task is cancelled.
    func wait(upTo timeout: Duration) async -> Bool {
        await withTimeout(timeout, orElse: false) {
            await self.wait()
            return !Task.isCancelled
        }
    }

    private func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.isPending {
                        state.isPending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
