import Synchronization

/// A bounded single-consumer queue of bus events. When it is full the oldest events are
/// dropped and the consumer gets one `.gap` before the next event, so a slow consumer costs
/// memory up to `capacity` and then recovers from history instead of growing without bound.
final class BusEventBuffer: Sendable {
    private struct State {
        var queue: [BusEvent] = []
        var head = 0
        var waiter: CheckedContinuation<BusEvent?, Never>?
        var hasDropped = false
        var isFinished = false
        var dropped = 0

        var count: Int { queue.count - head }

        mutating func popFirst() -> BusEvent? {
            guard head < queue.count else { return nil }
            let event = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return event
        }
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var droppedCount: Int { state.withLock { $0.dropped } }

    func push(_ event: BusEvent) {
        let waiter: CheckedContinuation<BusEvent?, Never>? = state.withLock { state in
            guard !state.isFinished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.count >= capacity {
                _ = state.popFirst()
                state.hasDropped = true
                state.dropped += 1
            }
            state.queue.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<BusEvent?, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func next() async -> BusEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<BusEvent?, Never>) in
                let immediate: BusEvent?? = state.withLock { state in
                    if state.hasDropped {
                        state.hasDropped = false
                        return .some(.gap)
                    }
                    if let event = state.popFirst() { return .some(event) }
                    if state.isFinished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<BusEvent?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}

/// The events of a subscriber, as an `AsyncSequence` for one consumer.
public struct BusEvents: AsyncSequence, Sendable {
    public typealias Element = BusEvent
    let buffer: BusEventBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: BusEventBuffer

        public mutating func next() async -> BusEvent? {
            await buffer.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> BusEvent? {
            await buffer.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}
