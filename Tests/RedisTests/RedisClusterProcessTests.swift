import TestSupport
import Testing

/// The Redis Cluster harness, checked with plain commands to single nodes: a real cluster of six
/// `redis-server`s per test.
@Suite(.serialized, .tags(.integration)) struct RedisClusterProcessTests {
    @Test func theClusterComesUpWithThreePrimariesServingEverySlot() async throws {
        try await RedisClusterProcess.withCluster(primaries: 3, replicasPerPrimary: 1) { cluster in
            let nodes = try await cluster.nodes()
            #expect(nodes.map(\.port) == cluster.ports.sorted())
            let primaries = nodes.filter(\.isPrimary)
            #expect(primaries.count == 3)
            #expect(primaries.flatMap(\.slots).map(\.count).reduce(0, +) == RedisClusterProcess.slotCount)
            for primary in primaries {
                #expect(try await cluster.replicas(of: primary.port).count == 1)
            }
            for port in cluster.ports {
                let info = try await cluster.send(["CLUSTER", "INFO"], to: port)
                #expect(info.string?.contains("cluster_state:ok") == true)
                #expect(info.string?.contains("cluster_slots_ok:16384") == true)
            }
            #expect(try await cluster.slot(ofKey: "foo") == 12182)
            #expect(try await cluster.slot(ofKey: "{foo}bar") == 12182)
        }
    }

    @Test func aKeyWrittenThroughItsOwnerIsReadBackAndOtherPrimariesRedirect() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            let slot = try await cluster.slot(ofKey: "greeting")
            let owner = try await cluster.primary(ofSlot: slot)
            #expect(try await cluster.send(["SET", "greeting", "hello"], to: owner) == .status("OK"))
            #expect(try await cluster.send(["GET", "greeting"], to: owner) == .bulk("hello"))
            for other in try await cluster.nodes().filter(\.isPrimary) where other.port != owner {
                let reply = try await cluster.send(["GET", "greeting"], to: other.port)
                #expect(reply.errorMessage == "MOVED \(slot) 127.0.0.1:\(owner)")
            }
        }
    }

    @Test func killingAPrimaryPromotesItsReplicaWhichHasTheKey() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            let slot = try await cluster.slot(ofKey: "survivor")
            let old = try await cluster.primary(ofSlot: slot)
            let replicas = try await cluster.replicas(of: old)
            let written = try await cluster.send([["SET", "survivor", "still here"], ["WAIT", "1", "1000"]], to: old)
            #expect(written == [.status("OK"), .integer(1)])

            let promoted = try await cluster.killPrimary(ofSlot: slot)
            #expect(replicas == [promoted])
            #expect(try await cluster.primary(ofSlot: slot) == promoted)
            #expect(await !cluster.runningPorts.contains(old))
            #expect(try await cluster.send(["GET", "survivor"], to: promoted) == .bulk("still here"))
            for port in await cluster.runningPorts where port != promoted {
                #expect(try await cluster.send(["GET", "survivor"], to: port) == .error("MOVED \(slot) 127.0.0.1:\(promoted)"))
            }

            try await cluster.restart(node: old)
            let rejoined = try await cluster.nodes().first { $0.port == old }
            #expect(rejoined?.role == .replica(of: promoted))
            #expect(try await cluster.send(["GET", "survivor"], to: old) == .error("MOVED \(slot) 127.0.0.1:\(promoted)"))
        }
    }

    @Test func aManualFailoverSwapsThePrimaryAndItsReplica() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            let slot = try await cluster.slot(ofKey: "handover")
            let old = try await cluster.primary(ofSlot: slot)
            let written = try await cluster.send([["SET", "handover", "kept"], ["WAIT", "1", "1000"]], to: old)
            #expect(written == [.status("OK"), .integer(1)])

            let promoted = try await cluster.failover(ofSlot: slot)
            #expect(try await cluster.primary(ofSlot: slot) == promoted)
            #expect(try await cluster.replicas(of: promoted) == [old])
            #expect(try await cluster.send(["GET", "handover"], to: promoted) == .bulk("kept"))
            #expect(await cluster.runningPorts.count == 6)
        }
    }

    @Test func migratingASlotMovesItsKeysToTheNewOwner() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            let keys = (1...250).map { "{moving}\($0)" }
            let slot = try await cluster.slot(ofKey: keys[0])
            let source = try await cluster.primary(ofSlot: slot)
            for key in keys {
                #expect(try await cluster.send(["SET", key, "value of \(key)"], to: source) == .status("OK"))
            }
            let target = try #require(try await cluster.nodes().first { $0.isPrimary && $0.port != source }).port

            try await cluster.migrateSlot(slot, to: target)

            #expect(try await cluster.primary(ofSlot: slot) == target)
            #expect(try await cluster.send(["CLUSTER", "COUNTKEYSINSLOT", String(slot)], to: target) == .integer(250))
            #expect(try await cluster.send(["CLUSTER", "COUNTKEYSINSLOT", String(slot)], to: source) == .integer(0))
            #expect(try await cluster.send(["GET", keys[0]], to: target) == .bulk("value of \(keys[0])"))
            // Every other node, replicas included, already knows the new owner.
            for port in cluster.ports where port != target {
                #expect(try await cluster.send(["GET", keys[0]], to: port) == .error("MOVED \(slot) 127.0.0.1:\(target)"))
            }
            // The neighbours keep theirs.
            #expect(try await cluster.primary(ofSlot: slot == 0 ? 1 : slot - 1) == source)
        }
    }

    @Test func midMigrationTheSourceAnswersAskForMovedKeys() async throws {
        try await RedisClusterProcess.withCluster { cluster in
            let slot = try await cluster.slot(ofKey: "{asked}moved")
            let source = try await cluster.primary(ofSlot: slot)
            #expect(try await cluster.send(["SET", "{asked}moved", "there"], to: source) == .status("OK"))
            #expect(try await cluster.send(["SET", "{asked}stays", "here"], to: source) == .status("OK"))
            let target = try #require(try await cluster.nodes().first { $0.isPrimary && $0.port != source }).port

            let migration = try await cluster.beginMigration(slot: slot, to: target, moving: ["{asked}moved"])
            #expect(migration.movedKeys == ["{asked}moved"])
            #expect(try await cluster.send(["GET", "{asked}moved"], to: source) == .error("ASK \(slot) 127.0.0.1:\(target)"))
            #expect(try await cluster.send(["GET", "{asked}stays"], to: source) == .bulk("here"))
            #expect(try await cluster.send(["GET", "{asked}moved"], to: target) == .error("MOVED \(slot) 127.0.0.1:\(source)"))
            #expect(
                try await cluster.send([["ASKING"], ["GET", "{asked}moved"]], to: target) == [.status("OK"), .bulk("there")])
            #expect(try await cluster.primary(ofSlot: slot) == source)

            try await cluster.finishMigration(migration)
            #expect(try await cluster.primary(ofSlot: slot) == target)
            #expect(try await cluster.send(["GET", "{asked}stays"], to: target) == .bulk("here"))
            #expect(try await cluster.send(["GET", "{asked}stays"], to: source) == .error("MOVED \(slot) 127.0.0.1:\(target)"))
        }
    }

    /// A password (`requirepass`/`masterauth`) and an ACL user (`masteruser`) alike.
    @Test(arguments: [
        RedisClusterProcess.Authentication.password("cluster-secret"), .user("harness", password: "user-secret"),
    ])
    func aClusterWithAuthenticationReplicatesAndMigratesWithIt(authentication: RedisClusterProcess.Authentication)
        async throws
    {
        let options = RedisClusterProcess.Options(authentication: authentication)
        try await RedisClusterProcess.withCluster(options: options) { cluster in
            let port = try #require(cluster.ports.first)
            let anonymous = try await cluster.send(["GET", "x"], to: port, authenticate: false)
            #expect(anonymous.errorMessage?.hasPrefix("NOAUTH") == true)
            try await Self.writeReplicateAndMigrate(on: cluster)
        }
    }

    @Test func aNodeThatCannotStartFailsWithItsLog() async throws {
        let options = RedisClusterProcess.Options(extraArguments: ["--no-such-directive", "yes"])
        let error = await #expect(throws: RedisClusterProcessError.self) {
            try await RedisClusterProcess.withCluster(options: options) { _ in Issue.record("the body ran") }
        }
        #expect(error?.message.contains("exited at start") == true)
        #expect(error?.message.contains("Bad directive") == true)
    }

    @Test func aClusterThatDoesNotFormInTimeFailsWithinTheBound() async throws {
        let options = RedisClusterProcess.Options(settleTimeout: .milliseconds(300))
        let start = ContinuousClock.now
        let error = await #expect(throws: RedisClusterProcessError.self) {
            try await RedisClusterProcess.withCluster(options: options) { _ in Issue.record("the body ran") }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error?.message.contains("0.3 seconds") == true)
    }

    /// A write acknowledged by a replica (`--masterauth` works) and a slot migrated (`MIGRATE`
    /// authenticates to the target).
    private static func writeReplicateAndMigrate(on cluster: RedisClusterProcess) async throws {
        let slot = try await cluster.slot(ofKey: "guarded")
        let source = try await cluster.primary(ofSlot: slot)
        let written = try await cluster.send([["SET", "guarded", "value"], ["WAIT", "1", "1000"]], to: source)
        #expect(written == [.status("OK"), .integer(1)])
        let target = try #require(try await cluster.nodes().first { $0.isPrimary && $0.port != source }).port
        try await cluster.migrateSlot(slot, to: target)
        #expect(try await cluster.send(["GET", "guarded"], to: target) == .bulk("value"))
    }
}
