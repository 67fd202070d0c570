import Foundation
import Logging
import NIOCore
import Payloads
import Redis
import TestSupport
import Testing

@testable import Bus
@testable import SocketIOEmitter

/// The Socket.IO emitter copy against a real `redis-server` on a free loopback port, read the way
/// `@socket.io/redis-adapter` reads it: `PSUBSCRIBE socket.io#/aws-realtime#*`.
@Suite(.timeLimit(.minutes(1)), .tags(.integration)) struct RedisSocketIOEmitterTests {
    static let logger = Logger(label: "bus-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    static let pattern = "socket.io#/aws-realtime#*"

    /// A server, a publisher bus with `emitter`, and a subscriber on the adapter's pattern.
    static func withEmitter(
        _ emitter: SocketIOEmitterConfiguration,
        _ body: @Sendable (RedisPublisherBus, any RedisCommandSending, RedisSubscriber) async throws -> Void
    ) async throws {
        try await RedisServerProcess.withServer { server in
            let configuration = Self.configuration(port: server.port)
            let client = RedisClient(configuration: configuration, logger: logger)
            let subscriber = RedisSubscriber(configuration: configuration, logger: logger)
            let bus = RedisPublisherBus(
                client: client, keys: RedisBusKeys(prefix: "test:"), historyLength: 100, socketIOEmitter: emitter, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                group.addTask { try await subscriber.run() }
                defer { group.cancelAll() }
                try await subscriber.subscribe(toPatterns: [pattern])
                try await body(bus, client, subscriber)
            }
        }
    }

    /// The first message on the pattern (buffered since the subscription), waiting at most five seconds.
    static func firstMessage(_ subscriber: RedisSubscriber) async throws -> (channel: String, bytes: [UInt8]) {
        try await firstElement("a message on the pattern", of: subscriber.events, timeout: .seconds(5)) { event in
            guard case .patternMessage(_, let channel, let payload) = event else { return nil }
            return (channel, Array(payload.readableBytesView))
        }
    }

    static func configuration(port: Int) -> RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, timeouts: .init(connect: .seconds(2), command: .seconds(5)))
    }

    static func envelope(_ value: Int) throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: .logs, type: "logs", epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1",
                region: "eu-west-1", data: [value]))
    }

    static func expected(id: String, value: Int) -> MessagePackValue {
        .array([
            .string("emitter"),
            .map([
                .init("type", .int(2)),
                .init(
                    "data",
                    .array([
                        .string("aws-logs-update"),
                        .map([
                            .init("timestamp", .string("1970-01-01T00:00:00.000Z")), .init("data", .array([.int(Int64(value))])),
                            .init("type", .string("logs")), .init("account", .string("1")),
                            .init("region", .string("eu-west-1")), .init("id", .string(id)),
                        ]),
                    ])),
                .init("nsp", .string("/aws-realtime")),
            ]),
            .map([.init("rooms", .array([])), .init("flags", .map([])), .init("except", .array([]))]),
        ])
    }

    @Test func aPublishAlsoEmitsWithTheStoredID() async throws {
        try await Self.withEmitter(.enabled()) { bus, client, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            guard case .published(let id) = try await bus.publish(Self.envelope(42), to: .logs, cursor: nil, token: "leader")
            else {
                Issue.record("refused")
                return
            }
            let (channel, bytes) = try await Self.firstMessage(subscriber)
            #expect(channel == "socket.io#/aws-realtime#")
            #expect(try MessagePackTestDecoder.decode(bytes) == Self.expected(id: id.description, value: 42))
            // Byte for byte what the Swift side derives (pinned by SocketIOEmitterMessageTests): the
            // script's msgpack_str splices the id exactly as MessagePackWriter writes a string.
            let message = try SocketIOEmitterMessage(envelope: Self.envelope(42), stream: .logs, namespace: "/aws-realtime")
            #expect(bytes == message.withID(id.description))
            // The same id as the entry XADDed to the history.
            let stored = try await client.xrevrange("test:log:aws-logs", from: "+", to: "-", count: 1)
            #expect(stored.map(\.id) == [id.description])
        }
    }

    /// A `stream-state` envelope goes to Node Socket.IO servers as `<stream>-state`, the event the
    /// gateway's own Socket.IO clients get; never as `<stream>-update`.
    @Test func aStreamStateIsEmittedAsTheStateEvent() async throws {
        try await Self.withEmitter(.enabled()) { bus, _, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            let state = try EncodedEnvelope(
                Envelope(
                    stream: .health, type: StreamStateData.type, epoch: 1, timestamp: Date(timeIntervalSince1970: 0),
                    account: "1", region: "eu-west-1",
                    data: StreamStateData(
                        state: "unavailable", since: "1970-01-01T00:00:00.000Z", operation: "DescribeEvents",
                        code: "SubscriptionRequiredException", message: "no plan", retryAt: "1970-01-01T01:00:00.000Z")))
            guard case .published(let id) = try await bus.publish(state, to: .health, cursor: nil, token: "leader") else {
                Issue.record("refused")
                return
            }
            let (channel, bytes) = try await Self.firstMessage(subscriber)
            #expect(channel == "socket.io#/aws-realtime#")
            let decoded = try MessagePackTestDecoder.decode(bytes)
            guard case .array(let parts) = decoded, parts.count == 3, case .array(let event)? = parts[1]["data"] else {
                Issue.record("not an emitter message: \(decoded)")
                return
            }
            #expect(event.first == .string("aws-health-state"))
            #expect(event.last?["type"] == .string("stream-state"))
            #expect(event.last?["data"]?["state"] == .string("unavailable"))
            #expect(event.last?["id"] == .string(id.description))
        }
    }

    @Test func aFencedLeaderEmitsNothing() async throws {
        try await Self.withEmitter(.enabled()) { bus, _, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            #expect(try await bus.publish(Self.envelope(1), to: .logs, cursor: nil, token: "stale") == .fenced)
            // Pub/sub keeps order: the first message seen is the leader's later one, so the fenced
            // publish sent nothing before it.
            guard case .published(let id) = try await bus.publish(Self.envelope(2), to: .logs, cursor: nil, token: "leader")
            else {
                Issue.record("refused")
                return
            }
            let (_, bytes) = try await Self.firstMessage(subscriber)
            #expect(try MessagePackTestDecoder.decode(bytes) == Self.expected(id: id.description, value: 2))
        }
    }

    @Test func withTheOptionOffNothingIsEmitted() async throws {
        try await Self.withEmitter(.disabled) { bus, client, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            guard case .published = try await bus.publish(Self.envelope(1), to: .logs, cursor: nil, token: "leader") else {
                Issue.record("refused")
                return
            }
            // A marker published after it is the first message on the channel.
            _ = try await client.send(["PUBLISH", "socket.io#/aws-realtime#", "marker"])
            let (_, bytes) = try await Self.firstMessage(subscriber)
            #expect(bytes == Array("marker".utf8))
        }
    }

    /// Data that is not JSON (never from our collectors) still goes to history and our channel; only
    /// the Socket.IO copy is skipped: the migration aid never holds up the bus.
    @Test func anEnvelopeItCannotConvertIsStillPublished() async throws {
        try await Self.withEmitter(.enabled()) { bus, client, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            let broken = EncodedEnvelope(
                stream: .logs, type: "logs", epoch: 1, timestamp: "1970-01-01T00:00:00.000Z", account: "1", region: "eu-west-1",
                encodedData: Array("[1".utf8))
            guard case .published(let id) = try await bus.publish(broken, to: .logs, cursor: nil, token: "leader") else {
                Issue.record("refused")
                return
            }
            #expect(try await client.xrevrange("test:log:aws-logs", from: "+", to: "-", count: 1).map(\.id) == [id.description])
            _ = try await client.send(["PUBLISH", "socket.io#/aws-realtime#", "marker"])
            #expect(try await Self.firstMessage(subscriber).bytes == Array("marker".utf8))
        }
    }

    @Test func aCustomKeyAndNamespaceNameTheChannel() async throws {
        try await RedisServerProcess.withServer { server in
            let configuration = Self.configuration(port: server.port)
            let client = RedisClient(configuration: configuration, logger: Self.logger)
            let subscriber = RedisSubscriber(configuration: configuration, logger: Self.logger)
            let bus = RedisPublisherBus(client: client, socketIOEmitter: .enabled(key: "legacy", namespace: "/live"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                group.addTask { try await subscriber.run() }
                defer { group.cancelAll() }
                try await subscriber.subscribe(toPatterns: ["legacy#/live#*"])
                _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
                _ = try await bus.publish(Self.envelope(3), to: .logs, cursor: nil, token: "t")
                let (channel, bytes) = try await Self.firstMessage(subscriber)
                #expect(channel == "legacy#/live#")
                guard case .array(let parts) = try MessagePackTestDecoder.decode(bytes), parts.count == 3 else {
                    Issue.record("not an emitter message")
                    return
                }
                #expect(parts[1]["nsp"] == .string("/live"))
            }
        }
    }
}
