import AsyncPrimitives
import Bus
import Payloads

/// Suspending until the state machine says so: a continuation it keeps and hands back when what
/// it waits for happens; a timeout or cancellation takes it back (`cancelWait`).
extension GatewayHub {
    enum Condition: Sendable {
        case subscribed(StreamName)
        case drained
    }

    /// True when `condition` held within `timeout`; false on timeout or cancellation.
    func wait(for condition: Condition, timeout: Duration) async -> Bool {
        let id = state.withLock { $0.makeWaiterID() }
        return await withTimeout(timeout, orElse: false) { await self.suspend(id, until: condition) }
    }

    private func suspend(_ id: GatewayHubWaiterID, until condition: Condition) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                // Checked under the lock that `onCancel` takes: a cancellation either shows here
                // or finds the waiter registered.
                let isResolved = state.withLock { machine -> Bool? in
                    if Task.isCancelled { return false }
                    switch condition {
                    case .subscribed(let stream):
                        return machine.waitUntilSubscribed(stream, id: id, waiter: continuation) ? true : nil
                    case .drained:
                        return machine.waitUntilDrained(id: id, waiter: continuation) ? true : nil
                    }
                }
                if let isResolved { continuation.resume(returning: isResolved) }
            }
        } onCancel: {
            state.withLock { $0.cancelWait(id) }?.resume(returning: false)
        }
    }

    /// The bus worker's wait for work.
    func waitForBusWork() async {
        await withTaskCancellationHandler {
            _ = await withCheckedContinuation { (continuation: Waiter) in
                let isParked = state.withLock { machine in !Task.isCancelled && machine.parkWorker(continuation) }
                if !isParked { continuation.resume(returning: true) }
            }
        } onCancel: {
            state.withLock { $0.unparkWorker() }?.resume(returning: false)
        }
    }
}
