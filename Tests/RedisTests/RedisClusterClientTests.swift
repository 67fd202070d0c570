import NIOCore
import Testing

@testable import Redis
@testable import TestSupport

/// The cluster client and the sharded subscriber on a real Redis Cluster (3 primaries, 3
/// replicas on loopback): routing, MOVED after a resharding, ASK during one, a killed primary,
/// and shard channels that follow their slot.
@Suite(.serialized, .tags(.integration)) struct RedisClusterClientTests {
    static func configuration(_ cluster: RedisClusterProcess) -> RedisConfiguration {
        var configuration = RedisConfiguration.test(port: cluster.ports[0])
        configuration.cluster = .enabled
        // A failover takes the node timeout (1 s) plus an election: give commands room to retry.
        configuration.timeouts = .init(connect: .seconds(10), command: .seconds(5))
        return configuration
    }

    static func withClusterClient<T: Sendable>(
        _ cluster: RedisClusterProcess, _ body: @Sendable (RedisClusterClient) async throws -> T
    ) async throws -> T {
        let client = RedisClusterClient(configuration: Self.configuration(cluster), logger: testLogger)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func withClusterSubscriber<T: Sendable>(
        _ cluster: RedisClusterProcess, refreshInterval: Duration = .seconds(10),
        _ body: @Sendable (RedisClusterSubscriber) async throws -> T
    ) async throws -> T {
        let subscriber = RedisClusterSubscriber(
            configuration: Self.configuration(cluster), refreshInterval: refreshInterval, logger: testLogger)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await subscriber.run() }
            defer { group.cancelAll() }
            return try await body(subscriber)
        }
    }

    /// A key whose slot a primary other than `port` serves, and that primary.
    static func otherPrimary(than port: Int, in cluster: RedisClusterProcess) async throws -> Int {
        let primaries = try await cluster.nodes().filter(\.isPrimary).map(\.port)
        return try #require(primaries.first { $0 != port })
    }

    @Test func commandsReachEverySlotAndAPipelineSpansNodes() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            try await Self.withClusterClient(cluster) { client in
                for index in 0..<200 {
                    try await client.set("key:\(index)", to: "value \(index)")
                }
                let gets = (0..<200).map { [ByteBuffer(string: "GET"), ByteBuffer(string: "key:\($0)")] }
                let replies = try await client.pipeline(gets)
                #expect(replies.map(\.string) == (0..<200).map { "value \($0)" })
                let topology = try #require(client.topology)
                #expect(topology.coveredSlotCount == 16384)
                #expect(topology.primaries.count == 3)
                // Keys landed on all three primaries, each served where the cluster says.
                var owners = Set<Int>()
                for index in stride(from: 0, to: 200, by: 20) {
                    let slot = try await cluster.slot(ofKey: "key:\(index)")
                    #expect(RedisClusterSlot.of(key: "key:\(index)") == slot)
                    owners.insert(try await cluster.primary(ofSlot: slot))
                }
                #expect(owners.count == 3)
                // A script's keys route by its first key; one sharing a hash tag runs in one slot.
                let script = RedisScript("return redis.call('GET', KEYS[1]) .. redis.call('GET', KEYS[2])")
                try await client.set("{t}a", to: "1")
                try await client.set("{t}b", to: "2")
                #expect(try await client.evaluate(script, keys: ["{t}a", "{t}b"]).string == "12")
            }
        }
    }

    @Test func aResharededSlotIsFollowedByMovedAndTheMapIsPatched() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            try await Self.withClusterClient(cluster) { client in
                try await client.set("{moving}k", to: "v")
                let slot = RedisClusterSlot.of(key: "{moving}k")
                let source = try await cluster.primary(ofSlot: slot)
                #expect(client.topology?.primary(ofSlot: slot)?.port == source)
                let target = try await Self.otherPrimary(than: source, in: cluster)
                try await cluster.migrateSlot(slot, to: target)
                // The client's map still says `source`: the node answers MOVED and the client follows.
                #expect(try await client.get("{moving}k").map { String(buffer: $0) } == "v")
                #expect(client.topology?.primary(ofSlot: slot)?.port == target)
                try await client.set("{moving}k", to: "w")
                #expect(try await cluster.send(["GET", "{moving}k"], to: target).string == "w")
            }
        }
    }

    @Test func askDuringAMigrationSendsTheCommandOnceToTheImportingNode() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            try await Self.withClusterClient(cluster) { client in
                try await client.set("{half}moved", to: "there")
                try await client.set("{half}stays", to: "here")
                let slot = RedisClusterSlot.of(key: "{half}moved")
                let source = try await cluster.primary(ofSlot: slot)
                let target = try await Self.otherPrimary(than: source, in: cluster)
                let migration = try await cluster.beginMigration(slot: slot, to: target, moving: ["{half}moved"])
                // The moved key is answered by the importing node after ASKING; the map keeps `source`.
                #expect(try await client.get("{half}moved").map { String(buffer: $0) } == "there")
                #expect(try await client.get("{half}stays").map { String(buffer: $0) } == "here")
                #expect(client.topology?.primary(ofSlot: slot)?.port == source)
                try await cluster.finishMigration(migration)
                #expect(try await client.get("{half}stays").map { String(buffer: $0) } == "here")
                #expect(client.topology?.primary(ofSlot: slot)?.port == target)
            }
        }
    }

    @Test func aKilledPrimaryIsReplacedByItsReplicaWithoutTheCallerSeeingIt() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            try await Self.withClusterClient(cluster) { client in
                try await client.set("{failover}k", to: "kept")
                _ = try await client.send(["WAIT", "1", "2000"])
                let slot = RedisClusterSlot.of(key: "{failover}k")
                let killed = try await cluster.primary(ofSlot: slot)
                let promoted = try await cluster.killPrimary(ofSlot: slot)
                #expect(promoted != killed)
                // The client's connection to `killed` is gone and its map is stale: it retries
                // (not connected: the command never ran) on a fresh map, within the connect timeout.
                #expect(try await client.get("{failover}k").map { String(buffer: $0) } == "kept")
                #expect(client.topology?.primary(ofSlot: slot)?.port == promoted)
            }
        }
    }

    /// A map read in the middle of a failover can lack a slot (the dead primary dropped, its
    /// replica not promoted yet). A command for that slot must read the map again while it
    /// retries, not wait for the periodic refresh (here a minute away): the worker's end-to-end
    /// test lost its lease that way, its commands failing for 10 s after the cluster had settled.
    @Test func aMapWithoutTheSlotIsReadAgainWhileTheCommandRetries() async throws {
        let options = RedisClusterProcess.Options(extraArguments: ["--cluster-require-full-coverage", "no"])
        try await RedisClusterProcess.withCluster(options: options) { cluster in
            var configuration = Self.configuration(cluster)
            configuration.timeouts = .init(connect: .seconds(3), command: .seconds(5))
            let client = RedisClusterClient(configuration: configuration, refreshInterval: .seconds(60), logger: testLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                defer { group.cancelAll() }
                try await client.set("{unserved}k", to: "back")
                _ = try await client.send(["WAIT", "1", "2000"])
                let slot = RedisClusterSlot.of(key: "{unserved}k")
                let owner = try await cluster.primary(ofSlot: slot)
                // Every node forgets who serves the slot (the key stays on `owner`), and the
                // client reads that map.
                for port in await cluster.runningPorts {
                    _ = try await cluster.send(["CLUSTER", "DELSLOTS", String(slot)], to: port)
                }
                #expect(await client.refreshTopology())
                #expect(client.topology?.primary(ofSlot: slot) == nil)
                // The owner takes it back and every node agrees; the client's map still lacks it.
                #expect(try await cluster.send(["CLUSTER", "ADDSLOTS", String(slot)], to: owner) == .status("OK"))
                try await cluster.waitUntilSettled()
                #expect(client.topology?.primary(ofSlot: slot) == nil)
                #expect(try await client.get("{unserved}k").map { String(buffer: $0) } == "back")
                #expect(client.topology?.primary(ofSlot: slot)?.port == owner)
            }
        }
    }

    @Test func aShardChannelFollowsItsSlotThroughAReshardAndAFailover() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            try await Self.withClusterClient(cluster) { client in
                try await Self.withClusterSubscriber(cluster) { subscriber in
                    let channel = "{live}ch"
                    let slot = RedisClusterSlot.of(key: channel)
                    var events = subscriber.events.makeAsyncIterator()
                    try await subscriber.subscribe(to: [channel])
                    #expect(try await eventually { subscriber.isConnected && subscriber.owners[channel] != nil })
                    let published: @Sendable (String) async throws -> Int = { text in
                        try await client.send(["SPUBLISH", channel, text]).int ?? -1
                    }
                    // Whether the subscription came before or after the first map, it ends up on the
                    // owner; a connection made for it may say so first.
                    #expect(try await published("one") == 1)
                    var first = try await nextEvent(&events)
                    while first == .disconnected || first == .reconnected { first = try await nextEvent(&events) }
                    #expect(first == .message(channel: channel, payload: ByteBuffer(string: "one")))

                    // Resharding: the old owner sends an unasked sunsubscribe; the subscriber moves.
                    let source = try await cluster.primary(ofSlot: slot)
                    let target = try await Self.otherPrimary(than: source, in: cluster)
                    try await cluster.migrateSlot(slot, to: target)
                    #expect(try await nextEvent(&events) == .disconnected)
                    #expect(try await nextEvent(&events) == .reconnected)
                    #expect(subscriber.owners[channel]?.port == target)
                    #expect(try await published("two") == 1)
                    #expect(try await nextEvent(&events) == .message(channel: channel, payload: ByteBuffer(string: "two")))

                    // Failover: the connection drops; the subscriber waits for the promotion.
                    let promoted = try await cluster.killPrimary(ofSlot: slot)
                    #expect(try await nextEvent(&events, timeout: .seconds(15)) == .disconnected)
                    #expect(try await nextEvent(&events, timeout: .seconds(15)) == .reconnected)
                    #expect(subscriber.owners[channel]?.port == promoted)
                    #expect(try await published("three") == 1)
                    #expect(try await nextEvent(&events) == .message(channel: channel, payload: ByteBuffer(string: "three")))

                    try await subscriber.unsubscribe(from: [channel])
                    let silent = try await eventually { (try? await published("four")) == 0 }
                    #expect(silent)
                }
            }
        }
    }

    @Test func anAutoConfigurationFindsTheClusterAndAOneNodeServerIsNotOne() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            var configuration = Self.configuration(cluster)
            configuration.cluster = .automatic
            let isCluster = try await RedisClusterDetection.isCluster(configuration: configuration, logger: testLogger)
            #expect(isCluster)
        }
        try await RedisServerProcess.withServer { server in
            let isCluster = try await RedisClusterDetection.isCluster(configuration: .test(port: server.port), logger: testLogger)
            #expect(!isCluster)
        }
    }

    @Test func aClusterClientOnAOneNodeServerSaysHowToConfigureIt() async throws {
        try await RedisServerProcess.withServer { server in
            var configuration = RedisConfiguration.test(port: server.port)
            configuration.cluster = .enabled
            let client = RedisClusterClient(configuration: configuration, logger: testLogger)
            #expect(await !client.refreshTopology())
            do {
                _ = try await client.send(["PING"])
                Issue.record("a cluster client worked against one node")
            } catch let error as RedisClientError {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains("REDIS_CLUSTER=false"))
            }
        }
    }
}
