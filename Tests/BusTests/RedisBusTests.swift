import Foundation
import Logging
import NIOCore
import Payloads
import Redis
import TestSupport
import Testing

@testable import Bus

/// The Redis bus against a real `redis-server` on a free loopback port.
@Suite(.timeLimit(.minutes(1)), .tags(.integration)) struct RedisBusTests {
    static let logger = Logger(label: "bus-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func configuration(port: Int) -> RedisConfiguration {
        RedisConfiguration(
            host: "127.0.0.1", port: port, timeouts: .init(connect: .seconds(2), command: .seconds(5)),
            reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), multiplier: 2, jitter: 0.2))
    }

    /// A running server, a command client, a publisher bus and a subscriber bus over it.
    static func withBuses<T: Sendable>(
        _ body: @Sendable (RedisServerProcess, RedisPublisherBus, RedisSubscriberBus) async throws -> T
    ) async throws -> T {
        try await RedisServerProcess.withServer { server in
            let configuration = Self.configuration(port: server.port)
            let client = RedisClient(configuration: configuration, logger: logger)
            let subscriber = RedisSubscriber(configuration: configuration, logger: logger)
            let publisher = RedisPublisherBus(client: client, keys: RedisBusKeys(prefix: "test:"), historyLength: 100)
            let subscriberBus = RedisSubscriberBus(
                subscriber: subscriber, client: client, keys: RedisBusKeys(prefix: "test:"), logger: logger)
            return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
                group.addTask { try await client.run() }
                group.addTask { try await subscriber.run() }
                group.addTask { await subscriberBus.run() }
                defer { group.cancelAll() }
                return try await body(server, publisher, subscriberBus)
            }
        }
    }

    static func envelope(_ value: Int, type: String = "logs") throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: .logs, type: type, epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1", region: "eu-west-1",
                data: [value]))
    }

    @Test func leaseEpochsAndExpiry() async throws {
        try await Self.withBuses { _, bus, _ in
            #expect(try await bus.acquireLease(token: "a", ttl: .seconds(10)) == 1)
            #expect(try await bus.acquireLease(token: "a", ttl: .seconds(10)) == 1)
            #expect(try await bus.acquireLease(token: "b", ttl: .seconds(10)) == nil)
            #expect(try await bus.renewLease(token: "a", ttl: .seconds(10)))
            #expect(try await !bus.renewLease(token: "b", ttl: .seconds(10)))
            try await bus.releaseLease(token: "b")  // not the holder: nothing happens
            #expect(try await bus.acquireLease(token: "b", ttl: .seconds(10)) == nil)
            try await bus.releaseLease(token: "a")
            #expect(try await bus.acquireLease(token: "b", ttl: .milliseconds(100)) == 2)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await !bus.renewLease(token: "b", ttl: .seconds(10)))
            #expect(try await bus.acquireLease(token: "a", ttl: .seconds(10)) == 3)
        }
    }

    @Test func publishIsFencedAtomicAndStampsTheID() async throws {
        try await Self.withBuses { _, bus, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            #expect(try await bus.publish(Self.envelope(1), to: .logs, cursor: ["last": "1"], token: "usurper") == .fenced)
            #expect(try await bus.cursor(of: .logs) == [:])
            #expect(try await subscriber.latest(of: .logs) == nil)

            guard
                case .published(let id) = try await bus.publish(
                    Self.envelope(1), to: .logs, cursor: ["last": "1", "seen": "a,b"], token: "leader")
            else {
                Issue.record("refused")
                return
            }
            #expect(try await bus.cursor(of: .logs) == ["last": "1", "seen": "a,b"])
            let stored = try #require(try await subscriber.latest(of: .logs))
            #expect(stored.id == id)
            #expect(String(buffer: stored.envelope).contains(#""id":"\#(id)""#))
            let decoded = try JSONDecoder().decode(Envelope<[Int]>.self, from: Data(stored.envelope.readableBytesView))
            #expect(decoded.id == id.description && decoded.data == [1])
            // A publish without a cursor leaves the cursor alone.
            _ = try await bus.publish(Self.envelope(2), to: .logs, cursor: nil, token: "leader")
            #expect(try await bus.cursor(of: .logs) == ["last": "1", "seen": "a,b"])
        }
    }

    @Test func liveMessagesHistoryAndListeners() async throws {
        try await Self.withBuses { _, bus, subscriber in
            _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
            #expect(try await bus.listenerCounts(of: [.logs]) == [.logs: 0])
            try await subscriber.subscribe(to: .logs)
            #expect(try await bus.listenerCounts(of: [.logs, .costs]) == [.logs: 1, .costs: 0])
            var published: [BusMessageID] = []
            for value in 0..<200 {
                if case .published(let id) = try await bus.publish(Self.envelope(value), to: .logs, cursor: nil, token: "t") {
                    published.append(id)
                }
            }
            #expect(published == published.sorted() && Set(published).count == 200)
            var received: [BusMessageID] = []
            for await event in subscriber.events {
                if case .message(let message) = event {
                    received.append(message.id)
                    #expect(String(buffer: message.envelope).contains(#""id":"\#(message.id)""#))
                }
                if received.count == 200 { break }
            }
            #expect(received == published)
            // History: bounded by MAXLEN ~ 100 (approximate trimming keeps at least 100).
            let history = try await subscriber.history(of: .logs, after: nil, limit: 1000)
            #expect(history.count >= 100 && history.count <= 200)
            #expect(history.map(\.id) == Array(published.suffix(history.count)))
            #expect(
                try await subscriber.history(of: .logs, after: published[197], limit: 10).map(\.id) == Array(published[198...]))
            #expect(try await subscriber.oldestID(of: .logs) == history.first?.id)
        }
    }

    @Test func heartbeatCarriesTheNewestStoredID() async throws {
        try await Self.withBuses { _, bus, subscriber in
            _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
            let heartbeat = try Self.envelope(0, type: Heartbeat.type)
            #expect(try await bus.heartbeat(heartbeat, to: .logs, token: "t") == .published(.zero))
            guard case .published(let id) = try await bus.publish(Self.envelope(1), to: .logs, cursor: nil, token: "t") else {
                return
            }
            #expect(try await bus.heartbeat(heartbeat, to: .logs, token: "t") == .published(id))
            #expect(try await bus.heartbeat(heartbeat, to: .logs, token: "x") == .fenced)
            #expect(try await subscriber.history(of: .logs, after: nil, limit: 10).count == 1)
        }
    }

    /// The server is killed and restarted: the subscriber comes back, says there was a gap, and
    /// receives again.
    @Test func aRestartedServerIsAGapThenLiveAgain() async throws {
        try await Self.withBuses { server, bus, subscriber in
            try await subscriber.subscribe(to: .logs)
            await server.kill()
            try await server.restart()
            var iterator = subscriber.events.makeAsyncIterator()
            #expect(await iterator.next() == .gap)
            // Publishing works again once the command client has reconnected.
            var outcome: PublishOutcome?
            for _ in 0..<100 where outcome == nil {
                do {
                    _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
                    outcome = try await bus.publish(Self.envelope(9), to: .logs, cursor: nil, token: "t")
                } catch {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            guard case .published(let id) = outcome else {
                Issue.record("could not publish after the restart")
                return
            }
            guard case .message(let message) = await iterator.next() else {
                Issue.record("no live message after the restart")
                return
            }
            #expect(message.id == id)
        }
    }

    @Test(arguments: [
        (#"{"v":1,"stream":"aws-logs","type":"logs","id":"17-3","epoch":1}"#, "17-3"),
        (#"{"v":1,"stream":"aws-logs","type":"x\"id\":\"9-9","id":"5-0"}"#, "5-0"),
        (#"{"v":1}"#, nil),
        // Not as the worker writes it: read as JSON.
        (#"{"v": 1, "stream": "aws-logs", "type": "logs", "id": "17-3", "epoch": 1}"#, "17-3"),
        ("{\n  \"v\" : 1,\n  \"id\" :\t\"8-1\"\n}\n", "8-1"),
        (#"{"data":{"id":"1-1"},"id":"2-2"}"#, "2-2"),
        (#"{"v":1,"data":[{"id":"1-1"}],"stream":"aws-logs","id":"3-0"}"#, "3-0"),
    ])
    func envelopeIDIsReadFromTheBytes(text: String, id: String?) {
        #expect(RedisSubscriberBus.envelopeID(ByteBuffer(string: text))?.description == id)
    }

    @Test(arguments: [
        ("not json", BusDropReason.notJSON),
        (#"{"v": 1, "id": "1-0""#, .notJSON),
        (#"["id","1-0"]"#, .notJSON),
        (#"{"v":1,"data":{"id":"1-0"}}"#, .missingID),
        (#"{"v":1,"id":17}"#, .badID),
        (#"{"v":1, "id": "tomorrow"}"#, .badID),
    ])
    func whatIsNotAnEnvelopeSaysWhy(text: String, reason: BusDropReason) {
        #expect(RedisSubscriberBus.readEnvelopeID(ByteBuffer(string: text)) == .failure(reason))
    }

    /// One line per reason per interval, reporting the drops since the last line.
    @Test func dropsAreCountedByReasonAndLoggedAtMostOncePerInterval() {
        let log = BusDropLog(interval: .seconds(60))
        let start = ContinuousClock.now
        #expect(log.record(.notJSON, at: start) == 1)
        #expect(log.record(.notJSON, at: start.advanced(by: .seconds(1))) == nil)
        #expect(log.record(.missingID, at: start.advanced(by: .seconds(2))) == 1)
        #expect(log.record(.notJSON, at: start.advanced(by: .seconds(59))) == nil)
        #expect(log.record(.notJSON, at: start.advanced(by: .seconds(61))) == 3)
        #expect(log.record(.notJSON, at: start.advanced(by: .seconds(62))) == nil)
        #expect(log.counts == [.notJSON: 5, .missingID: 1, .badID: 0, .unknownChannel: 0])
    }
}
