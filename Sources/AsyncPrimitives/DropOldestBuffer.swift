import Synchronization

/// A bounded queue from any number of producers to one consumer, which never makes a producer
/// wait.
///
/// When `capacity` elements wait, pushing one more drops the oldest and counts it; the consumer
/// then gets one marker (made by `droppedMarker` from the number dropped since the last marker)
/// before the next element, so that it knows to recover what it missed (from history). A slow
/// consumer so costs memory up to `capacity` and never stalls whoever produces: a socket is
/// always read, a server never disconnects its reader for falling behind.
///
/// One consumer at a time: a second `next()` while one waits returns `nil` at once.
public final class DropOldestBuffer<Element: Sendable>: Sendable {
    private struct State {
        var elements: [Element] = []
        /// Index of the oldest element in `elements`: popping moves it, the array is compacted
        /// when more than half of it has been consumed.
        var head = 0
        var droppedSinceMarker = 0
        var totalDropped = 0
        var waiter: CheckedContinuation<Element?, Never>?
        var isFinished = false

        var count: Int { elements.count - head }

        mutating func popFirst() -> Element? {
            guard head < elements.count else { return nil }
            let element = elements[head]
            head += 1
            if head > 1024, head * 2 > elements.count {
                elements.removeFirst(head)
                head = 0
            }
            return element
        }
    }

    private let state = Mutex(State())
    private let droppedMarker: @Sendable (_ count: Int) -> Element
    /// The most elements held at once (at least 1).
    public let capacity: Int

    /// - Parameters:
    ///   - capacity: the most elements held; values below 1 mean 1.
    ///   - droppedMarker: the element the consumer gets in place of the `count` elements dropped.
    public init(capacity: Int, droppedMarker: @escaping @Sendable (_ count: Int) -> Element) {
        self.capacity = max(1, capacity)
        self.droppedMarker = droppedMarker
    }

    /// Elements dropped so far because the consumer was slow.
    public var totalDropped: Int { state.withLock { $0.totalDropped } }

    /// Hands `element` to the waiting consumer, or queues it (dropping the oldest when full).
    /// Ignored once finished.
    public func push(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            guard !state.isFinished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.count >= capacity {
                _ = state.popFirst()
                state.droppedSinceMarker += 1
                state.totalDropped += 1
            }
            state.elements.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// Ends the sequence after the elements queued: `next()` returns them, then `nil`.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next element (or the marker of what was dropped before it), waiting for one; `nil`
    /// once finished and emptied, when the task is cancelled, or for a second concurrent consumer.
    public func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                // `.some`: the answer now (an element, or nil for the end); `.none`: waiting.
                let now = state.withLock { state -> Element?? in
                    if state.droppedSinceMarker > 0 {
                        defer { state.droppedSinceMarker = 0 }
                        return .some(droppedMarker(state.droppedSinceMarker))
                    }
                    if let element = state.popFirst() { return .some(element) }
                    if state.isFinished || Task.isCancelled || state.waiter != nil { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The elements as an `AsyncSequence`, for the one consumer.
    public var elements: Elements { Elements(buffer: self) }

    /// The elements of a ``DropOldestBuffer`` as an `AsyncSequence`.
    public struct Elements: AsyncSequence, Sendable {
        let buffer: DropOldestBuffer

        public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
            let buffer: DropOldestBuffer

            public mutating func next() async -> Element? {
                await buffer.next()
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async -> Element? {
                await buffer.next()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(buffer: buffer)
        }
    }
}
