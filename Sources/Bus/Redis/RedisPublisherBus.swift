import Logging
import NIOCore
import Payloads
import Redis
import SocketIOEmitter

/// The worker's side of the bus on Redis: the lease, the fenced publish script, cursors and
/// listener counts, over one pipelined ``RedisClient`` (which the caller runs).
public struct RedisPublisherBus: PublisherBus {
    public let keys: RedisBusKeys
    /// Entries kept per stream (`XADD MAXLEN ~`).
    public let historyLength: Int
    /// Whether each update also goes out in the `@socket.io/redis-emitter` format.
    public let socketIOEmitter: SocketIOEmitterConfiguration
    /// Classic pub/sub on one node, or sharded pub/sub on a cluster.
    public let pubSub: RedisBusPubSub
    private let client: any RedisCommandSending
    private let logger: Logger?

    public init(
        client: any RedisCommandSending, keys: RedisBusKeys = RedisBusKeys(), historyLength: Int = 1000,
        socketIOEmitter: SocketIOEmitterConfiguration = .disabled, pubSub: RedisBusPubSub = .classic, logger: Logger? = nil
    ) {
        self.client = client
        self.pubSub = pubSub
        self.keys = keys
        self.historyLength = historyLength
        self.socketIOEmitter = socketIOEmitter
        self.logger = logger
    }

    public func acquireLease(token: String, ttl: Duration) async throws -> Int64? {
        let reply = try await client.evaluate(
            RedisBusScripts.acquire, keys: [keys.leader, keys.epoch],
            arguments: [ByteBuffer(string: token), Self.milliseconds(ttl)])
        guard let epoch = reply.int else { throw RedisBusError.unexpectedReply("lease acquire", reply) }
        return epoch < 0 ? nil : Int64(epoch)
    }

    public func renewLease(token: String, ttl: Duration) async throws -> Bool {
        let reply = try await client.evaluate(
            RedisBusScripts.renew, keys: [keys.leader], arguments: [ByteBuffer(string: token), Self.milliseconds(ttl)])
        return reply.int == 1
    }

    public func releaseLease(token: String) async throws {
        _ = try await client.evaluate(RedisBusScripts.release, keys: [keys.leader], arguments: [ByteBuffer(string: token)])
    }

    public func leaseTimeRemaining() async throws -> Duration? {
        // PTTL: -2 without the key, -1 without an expiry (never set by the bus).
        let reply = try await client.send(["PTTL", keys.leader])
        guard let milliseconds = reply.int else { throw RedisBusError.unexpectedReply("lease PTTL", reply) }
        return milliseconds >= 0 ? .milliseconds(milliseconds) : nil
    }

    public func publish(
        _ envelope: EncodedEnvelope, to stream: StreamName, cursor: [String: String]?, scope: BusCursorScope, token: String
    ) async throws -> PublishOutcome {
        let scriptKeys = [keys.leader, keys.log(stream), keys.channel(stream), keys.cursor(stream, scope: scope)]
        let emitted = emitterMessage(for: envelope, stream: stream)
        var arguments = [
            ByteBuffer(string: token), ByteBuffer(string: String(historyLength)), ByteBuffer(bytes: envelope.prefix),
            ByteBuffer(bytes: envelope.suffix), ByteBuffer(string: pubSub.publishCommand),
            ByteBuffer(string: emitted == nil ? "" : socketIOEmitter.channel),
            ByteBuffer(bytes: emitted?.prefix ?? []), ByteBuffer(bytes: emitted?.suffix ?? []),
            ByteBuffer(string: String(cursor?.count ?? 0)),
        ]
        for (name, value) in (cursor ?? [:]).sorted(by: { $0.key < $1.key }) {
            arguments += [ByteBuffer(string: name), ByteBuffer(string: value)]
        }
        let reply = try await client.evaluate(RedisBusScripts.publish, keys: scriptKeys, arguments: arguments)
        return try Self.outcome(reply, operation: "publish")
    }

    /// The emitter copy of an update, when enabled. An envelope it cannot convert (never one the
    /// worker encodes) is still published on our own channel and in history; only its Socket.IO
    /// copy is skipped, with a warning: the migration aid never holds up the bus.
    private func emitterMessage(for envelope: EncodedEnvelope, stream: StreamName) -> SocketIOEmitterMessage? {
        guard socketIOEmitter.isEnabled else { return nil }
        do {
            return try SocketIOEmitterMessage(envelope: envelope, stream: stream, namespace: socketIOEmitter.namespace)
        } catch {
            logger?.warning(
                "Not emitting this update in the Socket.IO emitter format",
                metadata: [
                    "redis.channel": "\(socketIOEmitter.channel)", "bus.stream": "\(stream.rawValue)", "error": "\(error)",
                ])
            return nil
        }
    }

    public func heartbeat(_ envelope: EncodedEnvelope, to stream: StreamName, token: String) async throws -> PublishOutcome {
        let reply = try await client.evaluate(
            RedisBusScripts.heartbeat, keys: [keys.leader, keys.log(stream), keys.channel(stream)],
            arguments: [
                ByteBuffer(string: token), ByteBuffer(bytes: envelope.prefix), ByteBuffer(bytes: envelope.suffix),
                ByteBuffer(string: pubSub.publishCommand),
            ])
        return try Self.outcome(reply, operation: "heartbeat")
    }

    public func cursor(of stream: StreamName, scope: BusCursorScope) async throws -> [String: String] {
        try await client.hgetall(keys.cursor(stream, scope: scope)).mapValues { String(buffer: $0) }
    }

    public func listenerCounts(of streams: [StreamName]) async throws -> [StreamName: Int] {
        let channels = streams.map(keys.channel)
        let counts =
            switch pubSub {
            case .classic: try await client.subscriberCounts(of: channels)
            case .sharded: try await client.shardSubscriberCounts(of: channels)
            }
        var result: [StreamName: Int] = [:]
        for stream in streams { result[stream] = counts[keys.channel(stream)] ?? 0 }
        return result
    }

    private static func outcome(_ reply: RESPValue, operation: String) throws -> PublishOutcome {
        guard let text = reply.string else { throw RedisBusError.unexpectedReply(operation, reply) }
        if text == "FENCED" { return .fenced }
        guard let id = BusMessageID(text) else { throw RedisBusError.unexpectedReply(operation, reply) }
        return .published(id)
    }

    private static func milliseconds(_ duration: Duration) -> ByteBuffer {
        let (seconds, attoseconds) = duration.components
        return ByteBuffer(string: String(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)))
    }
}

/// A reply of the Redis bus's scripts or commands that it cannot read.
public struct RedisBusError: Error, CustomStringConvertible {
    public let message: String

    static func unexpectedReply(_ operation: String, _ reply: RESPValue) -> RedisBusError {
        RedisBusError(message: "unexpected reply to the bus's \(operation): \(reply)")
    }

    public var description: String { message }
}
