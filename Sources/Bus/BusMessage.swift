import AsyncPrimitives
import NIOCore
import Payloads

/// One published message: the id it is stored under and the envelope bytes exactly as the
/// worker published them (relayed as they are, never re-encoded).
public struct BusMessage: Sendable, Hashable {
    public var stream: StreamName
    /// The stream entry id (`<milliseconds>-<sequence>`): ordered, gap-detectable.
    public var id: BusMessageID
    public var envelope: ByteBuffer

    public init(stream: StreamName, id: BusMessageID, envelope: ByteBuffer) {
        self.stream = stream
        self.id = id
        self.envelope = envelope
    }
}

/// What a subscriber sees, in order.
public enum BusEvent: Sendable, Hashable {
    case message(BusMessage)
    /// Messages may have been missed (the bus connection dropped, or the subscriber fell
    /// behind): read the history after the last id relayed before going on.
    case gap
}

/// A subscriber's events, for its one consumer: bounded by the buffer behind them, which drops
/// the oldest when the consumer falls behind and then delivers one ``BusEvent/gap``.
public typealias BusEvents = DropOldestBuffer<BusEvent>.Elements

extension BusEvent {
    /// The bounded buffer a subscriber's events wait in: a slow consumer costs memory up to
    /// `capacity`, then recovers from history after a ``gap``.
    static func buffer(capacity: Int) -> DropOldestBuffer<BusEvent> {
        DropOldestBuffer(capacity: capacity, droppedMarker: { _ in .gap })
    }
}
