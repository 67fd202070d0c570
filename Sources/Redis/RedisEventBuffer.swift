import NIOConcurrencyHelpers

/// A bounded single-consumer queue of pub/sub events.
///
/// Slow consumer policy: when `capacity` events are waiting, the oldest is dropped and counted;
/// the consumer then receives `.dropped(count:)` before the next buffered event. Producers never
/// wait, so the socket is always read and Redis never disconnects us for an output buffer over
/// its limit; memory stays bounded.
final class RedisEventBuffer: Sendable {
    private struct State {
        var events: [RedisPubSubEvent] = []
        var head = 0
        var droppedCount = 0
        var totalDropped = 0
        var waiter: CheckedContinuation<RedisPubSubEvent?, Never>?
        var isFinished = false

        var count: Int { self.events.count - self.head }

        mutating func popFirst() -> RedisPubSubEvent? {
            guard self.head < self.events.count else { return nil }
            let event = self.events[self.head]
            self.head += 1
            if self.head > 1024 && self.head * 2 > self.events.count {
                self.events.removeFirst(self.head)
                self.head = 0
            }
            return event
        }
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Events dropped so far because the consumer was slow.
    var totalDropped: Int { self.state.withLockedValue { $0.totalDropped } }

    func push(_ event: RedisPubSubEvent) {
        let waiter: CheckedContinuation<RedisPubSubEvent?, Never>? = self.state.withLockedValue { state in
            guard !state.isFinished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.count >= self.capacity {
                _ = state.popFirst()
                state.droppedCount += 1
                state.totalDropped += 1
            }
            state.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// Ends the sequence after the buffered events.
    func finish() {
        let waiter: CheckedContinuation<RedisPubSubEvent?, Never>? = self.state.withLockedValue { state in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func next() async -> RedisPubSubEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RedisPubSubEvent?, Never>) in
                enum Now {
                    case event(RedisPubSubEvent?)
                    case waiting
                }
                let now: Now = self.state.withLockedValue { state in
                    if state.droppedCount > 0 {
                        defer { state.droppedCount = 0 }
                        return .event(.dropped(count: state.droppedCount))
                    }
                    if let event = state.popFirst() {
                        return .event(event)
                    }
                    if state.isFinished || Task.isCancelled || state.waiter != nil {
                        // Finished, cancelled, or a second concurrent consumer: end for this caller.
                        return .event(nil)
                    }
                    state.waiter = continuation
                    return .waiting
                }
                if case .event(let event) = now {
                    continuation.resume(returning: event)
                }
            }
        } onCancel: {
            let waiter: CheckedContinuation<RedisPubSubEvent?, Never>? = self.state.withLockedValue { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
