import AsyncPrimitives
import Payloads
import Synchronization

/// A gateway's subscription to an ``InProcessBus``.
public final class InProcessSubscriber: SubscriberBus, Sendable {
    private let bus: InProcessBus
    private let buffer: DropOldestBuffer<BusEvent>
    private let streams = Mutex<Set<StreamName>>([])

    init(bus: InProcessBus, bufferSize: Int) {
        self.bus = bus
        self.buffer = BusEvent.buffer(capacity: bufferSize)
    }

    public var events: BusEvents { buffer.elements }

    /// Always: there is no connection to lose in one process.
    public var isConnected: Bool { true }

    /// Events dropped because the consumer fell behind.
    public var droppedEventCount: Int { buffer.totalDropped }

    public func subscribe(to stream: StreamName) async throws {
        _ = streams.withLock { $0.insert(stream) }
    }

    public func unsubscribe(from stream: StreamName) async throws {
        _ = streams.withLock { $0.remove(stream) }
    }

    public func history(of stream: StreamName, after id: BusMessageID?, limit: Int) async throws -> [BusMessage] {
        bus.history(of: stream, after: id, limit: limit)
    }

    public func latest(of stream: StreamName, count: Int) async throws -> [BusMessage] {
        bus.latest(of: stream, count: count)
    }

    public func oldestID(of stream: StreamName) async throws -> BusMessageID? {
        bus.oldestID(of: stream)
    }

    /// Stops delivery and ends `events`.
    public func close() {
        bus.remove(self)
        buffer.finish()
    }

    func isSubscribed(to stream: StreamName) -> Bool {
        streams.withLock { $0.contains(stream) }
    }

    func deliver(_ message: BusMessage) {
        buffer.push(.message(message))
    }
}
