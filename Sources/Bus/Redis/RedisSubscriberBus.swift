import AsyncPrimitives
import Logging
import NIOCore
import Payloads
import Redis
import ServiceLifecycle

/// A gateway's side of the bus on Redis: one pub/sub connection (``RedisSubscriber``, which
/// resubscribes after a reconnect) for live messages, and a command client for history.
///
/// Run ``run()`` for as long as the bus is used; read ``events`` from one consumer.
public final class RedisSubscriberBus: SubscriberBus, Service {
    public let keys: RedisBusKeys
    private let subscriber: any RedisChannelSubscribing
    private let client: any RedisCommandSending
    private let buffer: DropOldestBuffer<BusEvent>
    private let drops: BusDropLog
    private let logger: Logger

    public init(
        subscriber: any RedisChannelSubscribing, client: any RedisCommandSending, keys: RedisBusKeys = RedisBusKeys(),
        bufferSize: Int = 4096,
        dropLogInterval: Duration = .seconds(60), logger: Logger
    ) {
        self.subscriber = subscriber
        self.client = client
        self.keys = keys
        self.buffer = BusEvent.buffer(capacity: bufferSize)
        self.drops = BusDropLog(interval: dropLogInterval)
        self.logger = logger
    }

    public var events: BusEvents { buffer.elements }

    /// Whether the pub/sub connection is up and resubscribed (``RedisSubscriber/isConnected``).
    public var isConnected: Bool { subscriber.isConnected }

    /// Messages on the bus channels that were not envelopes, by reason (each logged, at most one
    /// line per reason per `dropLogInterval`).
    public var droppedMessages: [BusDropReason: Int] { drops.counts }

    /// Translates the subscriber's events into bus events until cancelled, its service group
    /// shuts down gracefully, or the subscriber ends. The subscriber's own `run()` is the caller's
    /// to run alongside (before this one in a `ServiceGroup`, so it stops after it).
    public func run() async {
        await cancelWhenGracefulShutdown { await self.translateEvents() }
    }

    private func translateEvents() async {
        defer { buffer.finish() }
        var translator = RedisBusEventTranslator(keys: keys)
        for await event in subscriber.events {
            switch translator.translate(event) {
            case .event(let event):
                buffer.push(event)
            case .dropped(let reason, let channel, let size):
                drops.record(reason, channel: channel, size: size, logger: logger, at: ContinuousClock.now)
            case .leftForRecovery, .none:
                continue
            }
        }
    }

    public func subscribe(to stream: StreamName) async throws {
        try await subscriber.subscribe(to: [keys.channel(stream)])
    }

    public func unsubscribe(from stream: StreamName) async throws {
        try await subscriber.unsubscribe(from: [keys.channel(stream)])
    }

    public func history(of stream: StreamName, after id: BusMessageID?, limit: Int) async throws -> [BusMessage] {
        guard limit > 0 else { return [] }
        let start = id.map { "(\($0)" } ?? "-"
        return try await client.xrange(keys.log(stream), from: start, to: "+", count: limit).compactMap { message(stream, $0) }
    }

    /// `XREVRANGE <log> + - COUNT <count>`: one round trip, newest first.
    public func latest(of stream: StreamName, count: Int) async throws -> [BusMessage] {
        guard count > 0 else { return [] }
        return try await client.xrevrange(keys.log(stream), from: "+", to: "-", count: count).compactMap { message(stream, $0) }
    }

    public func oldestID(of stream: StreamName) async throws -> BusMessageID? {
        try await client.xrange(keys.log(stream), from: "-", to: "+", count: 1).first.flatMap { BusMessageID($0.id) }
    }

    private func message(_ stream: StreamName, _ entry: RedisStreamEntry) -> BusMessage? {
        guard let id = BusMessageID(entry.id), let envelope = entry[field: "e"] else { return nil }
        return BusMessage(stream: stream, id: id, envelope: envelope)
    }
}
