import AsyncPrimitives
import NIOCore

/// What a ``RedisSubscriber`` delivers, in order.
public enum RedisPubSubEvent: Sendable, Hashable {
    /// A message on a channel subscribed with ``RedisSubscriber/subscribe(to:)``.
    case message(channel: String, payload: ByteBuffer)
    /// A message on a channel that matched a pattern from ``RedisSubscriber/subscribe(toPatterns:)``.
    case patternMessage(pattern: String, channel: String, payload: ByteBuffer)
    /// The connection dropped: messages published from now until ``reconnected`` are not seen.
    case disconnected
    /// A new connection is up and every channel and pattern held is subscribed again (the server
    /// confirmed each). Messages published while disconnected were missed: recover them from
    /// history. Messages that arrived just before this event may also be in that history.
    case reconnected
    /// The consumer fell behind: this many of the oldest buffered events were dropped to keep
    /// the buffer bounded. Treat it like ``reconnected``: recover from history.
    case dropped(count: Int)
}

extension RedisPubSubEvent {
    /// The bounded buffer a subscriber's events wait in for their consumer: when it is full the
    /// oldest is dropped, and the consumer gets ``dropped(count:)`` before the next event.
    static func buffer(capacity: Int) -> DropOldestBuffer<RedisPubSubEvent> {
        DropOldestBuffer(capacity: capacity, droppedMarker: { .dropped(count: $0) })
    }
}
