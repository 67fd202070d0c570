import Foundation
import Logging
import NIOCore
import Payloads
import Redis
import TestSupport
import Testing

@testable import Bus

/// The Redis bus on a real Redis Cluster (3 primaries, 3 replicas on loopback): the lease, the
/// fenced publish script with SPUBLISH, listener counts by PUBSUB SHARDNUMSUB, and history
/// recovery after the streams' slot is resharded while publishing.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.integration)) struct RedisClusterBusTests {
    static let logger = Logger(label: "bus-cluster-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    static let keys = RedisBusKeys(prefix: RedisBusKeys.clusterDefaultPrefix)

    static func withClusterBuses<T: Sendable>(
        _ body: @Sendable (RedisClusterProcess, RedisPublisherBus, RedisSubscriberBus) async throws -> T
    ) async throws -> T {
        try await RedisClusterProcess.withCluster { cluster in
            var configuration = RedisBusTests.configuration(port: cluster.ports[0])
            configuration.cluster = .enabled
            configuration.timeouts = .init(connect: .seconds(10), command: .seconds(5))
            let client = RedisClusterClient(configuration: configuration, logger: logger)
            let subscriber = RedisClusterSubscriber(configuration: configuration, logger: logger)
            let publisher = RedisPublisherBus(client: client, keys: keys, historyLength: 1000, pubSub: .sharded)
            let subscriberBus = RedisSubscriberBus(subscriber: subscriber, client: client, keys: keys, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
                group.addTask { try await client.run() }
                group.addTask { try await subscriber.run() }
                group.addTask { await subscriberBus.run() }
                defer { group.cancelAll() }
                return try await body(cluster, publisher, subscriberBus)
            }
        }
    }

    @Test func leaseFencingListenersAndEveryMessageThroughAReshard() async throws {
        try await Self.withClusterBuses { cluster, bus, subscriber in
            #expect(try await bus.acquireLease(token: "leader", ttl: .seconds(30)) == 1)
            #expect(try await bus.acquireLease(token: "usurper", ttl: .seconds(30)) == nil)
            #expect(try await bus.listenerCounts(of: [.logs]) == [.logs: 0])
            try await subscriber.subscribe(to: .logs)
            var counts: [StreamName: Int]?
            for _ in 0..<100 where counts != [.logs: 1, .costs: 0] {
                counts = try? await bus.listenerCounts(of: [.logs, .costs])
                if counts != [.logs: 1, .costs: 0] { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(counts == [.logs: 1, .costs: 0])
            // A fenced publisher emits nothing: no log entry, no message.
            #expect(try await bus.publish(RedisBusTests.envelope(-1), to: .logs, cursor: nil, token: "usurper") == .fenced)

            let slot = RedisClusterSlot.of(key: Self.keys.log(.logs))
            let source = try await cluster.primary(ofSlot: slot)
            let primaries = try await cluster.nodes().filter(\.isPrimary).map(\.port)
            let target = try #require(primaries.first { $0 != source })
            var published: [BusMessageID] = []
            for value in 0..<300 {
                if value == 100 { try await cluster.migrateSlot(slot, to: target) }
                if case .published(let id) = try await bus.publish(
                    RedisBusTests.envelope(value), to: .logs, cursor: ["at": "\(value)"], token: "leader")
                {
                    published.append(id)
                }
            }
            #expect(published.count == 300)
            #expect(try await bus.cursor(of: .logs) == ["at": "299"])
            // Live messages up to the move, a gap the bus reports, then live again: what was live
            // plus what history holds after the gap is every message, in order, once.
            var received: [BusMessageID] = []
            var events = subscriber.events.makeAsyncIterator()
            let deadline = ContinuousClock.now + .seconds(30)
            while received.last != published.last, ContinuousClock.now < deadline {
                guard let event = await events.next() else { break }
                switch event {
                case .message(let message):
                    if message.id > (received.last ?? .zero) { received.append(message.id) }
                case .gap:
                    let missed = try await subscriber.history(of: .logs, after: received.last, limit: 1000)
                    received += missed.map(\.id)
                }
            }
            #expect(received == published)
            #expect(try await cluster.primary(ofSlot: slot) == target)
        }
    }
}
