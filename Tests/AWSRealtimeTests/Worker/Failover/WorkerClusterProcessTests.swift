import Bus
import Foundation
import Payloads
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 16 end to end: on a real Redis Cluster (3 primaries, 3 replicas on loopback), two
/// `aws-realtime worker` processes (leader and hot standby) publish `aws-metrics` every second
/// with SPUBLISH, two `aws-realtime gateway` processes relay it to Python clients (`/ws` on each,
/// Socket.IO on one), all through `redis+cluster://`. While they run, the primary serving the
/// bus's slot is killed (its replica is promoted), or the slot is moved to another primary. Every
/// client must then get every envelope of the history log from its first one on, in order, once;
/// no process crashes; one worker leads; a leader paused past its lease is fenced.
///
/// Serialized: each test starts six Redis nodes, four processes and three clients on a small machine.
@Suite(
    .serialized, .timeLimit(.minutes(3)),
    .enabled(if: AWSRealtimeServer.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct WorkerClusterProcessTests {
    struct World: Sendable {
        let leader: AWSRealtimeServer
        let standby: AWSRealtimeServer
        let gateways: [AWSRealtimeServer]
        let watchers: [Watcher]
        var workers: [AWSRealtimeServer] { [leader, standby] }
    }

    static let slot = ClusterProcessHarness.slot

    /// Worker `a` leads (started first), `b` stands by; gateways `g1`, `g2`; a `/ws` client on
    /// each and a Socket.IO client on `g2`, each having received two envelopes.
    static func startWorld(_ harness: ClusterProcessHarness, ttl: String) async throws -> World {
        let configuration = ClusterProcessHarness.workerConfiguration(ttl: ttl)
        let leader = try await harness.startWorker("a", configuration: configuration)
        try await harness.waitUntil("worker a leads and has published", timeout: .seconds(20)) {
            guard try leader.metrics()["aws_realtime_worker_leader"] == 1 else { return false }
            return try await !harness.log().isEmpty
        }
        let standby = try await harness.startWorker("b", configuration: configuration)
        let first = try await harness.startGateway("g1")
        let second = try await harness.startGateway("g2")
        let watchers = [
            try harness.startWatcher("ws-g1", .webSocket, on: first),
            try harness.startWatcher("ws-g2", .webSocket, on: second),
            try harness.startWatcher("sio-g2", .socketIO, on: second),
        ]
        try await harness.waitUntil("every client has received two envelopes", timeout: .seconds(20)) {
            watchers.allSatisfy { $0.envelopes().count >= 2 }
        }
        try await harness.waitUntil("both gateways are ready", timeout: .seconds(10)) {
            try [first, second].allSatisfy { try $0.get("/ready").status == 200 }
        }
        #expect(try standby.metrics()["aws_realtime_worker_leader"] == 0)
        return World(leader: leader, standby: standby, gateways: [first, second], watchers: watchers)
    }

    /// Waits until every client has got the newest log entry (at most `timeout`), then checks
    /// each against the log. Returns the ids clients got that the log no longer holds.
    @discardableResult
    static func checkDelivery(_ harness: ClusterProcessHarness, _ world: World, timeout: Duration = .seconds(20)) async throws
        -> [String: [Watcher.Received]]
    {
        let log = try await harness.log()
        let last = try #require(log.last.flatMap { BusMessageID($0.id) })
        do {
            try await harness.waitUntil("every client has received \(last)", timeout: timeout) {
                world.watchers.allSatisfy { watcher in watcher.envelopes().contains { $0.id >= last } }
            }
        } catch {
            Issue.record("\(error): \(world.watchers.map { "\($0.name) last \($0.envelopes().last?.id.description ?? "none")" })")
        }
        let ids = log.compactMap { BusMessageID($0.id) }
        var notInLog: [String: [Watcher.Received]] = [:]
        for watcher in world.watchers {
            let check = DeliveryCheck(watcher, log: ids, through: last)
            print("[cluster] \(check.summary)")
            #expect(check.holdsContract, "\(check.summary)")
            #expect(check.expectedCount >= 5, "\(check.summary)")
            #expect(watcher.problems().isEmpty, "\(watcher.description): \(watcher.problems())")
            if !check.notInLog.isEmpty { notInLog[watcher.name] = check.notInLog }
        }
        return notInLog
    }

    /// One worker leads (its token is the lease key's), the other stands by; the log's epochs
    /// never go back (no entry of an older leadership after a newer one).
    static func checkLeadership(_ harness: ClusterProcessHarness, _ world: World) async throws {
        try await harness.waitUntil("exactly one worker leads", timeout: .seconds(10)) {
            FailoverHarness.leaders(world.workers).count == 1
        }
        let leader = try #require(FailoverHarness.leaders(world.workers).first)
        let token = try #require(try await harness.leaderToken())
        let tookTheLease = leader.logLines().last { $0["message"] as? String == "Became the leader" }
        #expect(tookTheLease?["worker.lease.token"] as? String == String(token.prefix(8)))
        let log = try await harness.log()
        let epochs = log.map(\.epoch)
        #expect(zip(epochs, epochs.dropFirst()).allSatisfy { $0 <= $1 }, "epochs \(epochs)")
        #expect(epochs.last == (try await harness.epoch()))
        for worker in world.workers {
            let fenced = try worker.metrics()[#"aws_realtime_worker_fenced_total{stream="aws-metrics"}"#] ?? 0
            print("[cluster] worker \(worker.name): leader \(worker === leader), fenced publishes \(Int(fenced))")
        }
        print(
            "[cluster] epochs in the log: \(Dictionary(grouping: epochs, by: { $0 }).mapValues(\.count).sorted { $0.key < $1.key })"
        )
    }

    /// No process crashed; both gateways are ready again (reconnected, nothing being recovered).
    static func checkProcesses(_ harness: ClusterProcessHarness, _ world: World) async throws {
        #expect(harness.crashes().isEmpty, "\(harness.crashes())")
        try await harness.waitUntil("both gateways are ready", timeout: .seconds(10)) {
            try world.gateways.allSatisfy { try $0.get("/ready").status == 200 }
        }
        for gateway in world.gateways {
            let metrics = try gateway.metrics()
            print(
                "[cluster] gateway \(gateway.name): gaps \(Int(metrics["gateway_bus_gaps_total"] ?? -1)), "
                    + "recovered \(Int(metrics["gateway_recovered_messages_total"] ?? -1)), "
                    + "resubscribes \(Int(metrics["gateway_bus_resubscribes_total"] ?? -1)), "
                    + "bus errors \(Int(metrics["gateway_bus_errors_total"] ?? -1))")
        }
    }

    /// Entries that were in the log before the fault and are not after it, and what clients got
    /// that the log does not hold: reported, not hidden (asynchronous replication may lose the
    /// last write a killed primary acknowledged).
    static func reportLoss(
        before: [LoggedEnvelope], after: [LoggedEnvelope], notInLog: [String: [Watcher.Received]], faultAt: Date
    ) {
        let kept = Set(after.map(\.id))
        let lost = before.filter { !kept.contains($0.id) }
        guard !lost.isEmpty || !notInLog.isEmpty else {
            print(
                "[cluster] no entry lost: every entry in the log before the fault is still there; every id clients got is in it")
            return
        }
        let fault = faultAt.timeIntervalSince1970 * 1000
        let details =
            lost.map { "log entry \($0.id) (stored \(Int64(fault) - $0.storedAtMilliseconds) ms before the fault) is gone" }
            + notInLog.flatMap { name, received in
                received.map { item in
                    let stored = Int64(item.id.milliseconds)
                    let at =
                        item.at.map { ", read at fault\(Int($0 * 1000 - fault) >= 0 ? "+" : "")\(Int($0 * 1000 - fault)) ms" }
                        ?? ""
                    return "client \(name) got \(item.id) (stored at fault\(stored - Int64(fault)) ms\(at)), not in the log"
                }
            }
        print("[cluster] LOST across the fault:\n" + details.joined(separator: "\n"))
        withKnownIssue("asynchronous replication: a write the killed primary acknowledged was not on its replica") {
            Issue.record("\(details.joined(separator: "; "))")
        }
    }

    /// Scenario A: SIGKILL the primary serving the bus's slot (the node every process was given as
    /// its seed) while the leader publishes every second; the replica is promoted; publishing goes
    /// on; every client gets every logged envelope once, in order.
    @Test func killingTheSlotsPrimaryWhilePublishingDeliversEveryLoggedEnvelopeOnce() async throws {
        try await ClusterProcessHarness.run(seed: .slotOwner) { harness in
            let world = try await Self.startWorld(harness, ttl: "6s")
            let owner = try await harness.cluster.primary(ofSlot: Self.slot)
            #expect(owner == harness.seedPort)
            // At a random point of the publish second.
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<1000)))
            let before = try await harness.log()
            let killedAt = Date()
            let promoted = try await harness.cluster.killPrimary(ofSlot: Self.slot)
            let settled = Date()
            print(
                "[cluster] killed 127.0.0.1:\(owner) (slot \(Self.slot)); 127.0.0.1:\(promoted) serves it, the cluster settled "
                    + "\(Int(settled.timeIntervalSince(killedAt) * 1000)) ms after the kill")
            try await harness.waitUntil("three entries stored after the failover", timeout: .seconds(20)) {
                try await harness.log().filter { Double($0.storedAtMilliseconds) > settled.timeIntervalSince1970 * 1000 }.count
                    >= 3
            }
            let after = try await harness.log()
            let firstAfter = after.first { Double($0.storedAtMilliseconds) > killedAt.timeIntervalSince1970 * 1000 }
            print(
                "[cluster] first entry stored after the kill: \(firstAfter?.id ?? "none"), "
                    + "\(firstAfter.map { Int($0.storedAtMilliseconds - Int64(killedAt.timeIntervalSince1970 * 1000)) } ?? -1) ms after it"
            )
            // The failover (about 2.5 s) is shorter than the lease (6 s): the leader keeps it and
            // publishes again as soon as the slot is served (it lost it when its client kept a
            // map without the slot until the next periodic read, 10 s later).
            let publishGap =
                firstAfter.map { Double($0.storedAtMilliseconds) - killedAt.timeIntervalSince1970 * 1000 } ?? .infinity
            #expect(publishGap < 6_000, "the first publish after the kill came \(publishGap) ms after it")
            #expect(Set(after.map(\.epoch)).count == 1, "a takeover during the failover: epochs \(after.map(\.epoch))")
            let notInLog = try await Self.checkDelivery(harness, world)
            Self.reportLoss(before: before, after: after, notInLog: notInLog, faultAt: killedAt)
            try await Self.checkLeadership(harness, world)
            try await Self.checkProcesses(harness, world)
        }
    }

    /// Scenario B: move the bus's slot (every key, MIGRATE) to another primary while the leader
    /// publishes, every key on the target for 2.5 s before the slot is; the gateways follow it
    /// (the node's unasked `sunsubscribe`, or the map), recovering from the log what they missed
    /// live; every client gets every logged envelope once, in order; nothing is lost, no takeover.
    @Test func reshardingTheSlotWhilePublishingDeliversEveryLoggedEnvelopeOnce() async throws {
        try await ClusterProcessHarness.run(seed: .slotOwner) { harness in
            let world = try await Self.startWorld(harness, ttl: "6s")
            let source = try await harness.cluster.primary(ofSlot: Self.slot)
            let target = try #require(try await harness.cluster.nodes().first { $0.isPrimary && $0.port != source }?.port)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<1000)))
            let before = try await harness.log()
            let movedAt = Date()
            // Every key is on the target 2.5 s before the slot is (a slow resharding tool).
            try await harness.cluster.migrateSlot(Self.slot, to: target, pauseBeforeAssignment: .milliseconds(2_500))
            let settled = Date()
            print(
                "[cluster] moved slot \(Self.slot) from 127.0.0.1:\(source) to 127.0.0.1:\(target) in "
                    + "\(Int(settled.timeIntervalSince(movedAt) * 1000)) ms")
            #expect(try await harness.cluster.primary(ofSlot: Self.slot) == target)
            try await harness.waitUntil("three entries stored after the move", timeout: .seconds(20)) {
                try await harness.log().filter { Double($0.storedAtMilliseconds) > settled.timeIntervalSince1970 * 1000 }.count
                    >= 3
            }
            let after = try await harness.log()
            // The publish script cannot run while the keys are on the importing target and the
            // slot is not (its shard channel is a key that never exists: TRYAGAIN), so the poll
            // collected then is stored when the slot is assigned: delayed, not lost.
            for entry in after where Double(entry.storedAtMilliseconds) >= movedAt.timeIntervalSince1970 * 1000 - 1000 {
                let stall = Double(entry.storedAtMilliseconds) - entry.collectedAt * 1000
                print("[cluster] entry \(entry.id): stored \(Int(stall)) ms after it was collected")
            }
            let notInLog = try await Self.checkDelivery(harness, world)
            // A move loses nothing: MIGRATE copies each key whole.
            let kept = Set(after.map(\.id))
            #expect(before.allSatisfy { kept.contains($0.id) }, "entries lost by the move")
            #expect(notInLog.isEmpty, "\(notInLog)")
            try await Self.checkLeadership(harness, world)
            #expect(Set(after.map(\.epoch)).count == 1, "no takeover during a move")
            try await Self.checkProcesses(harness, world)
        }
    }

    /// Fencing on the cluster: SIGSTOP the leader inside a poll (its GetMetricData held by the
    /// replay server) until its 2 s lease has run out and the standby publishes under a new epoch;
    /// SIGCONT: its late publish is refused by the script (counted, logged), every entry after the
    /// takeover carries the new epoch, one worker leads, and the clients got every entry once.
    @Test func aLeaderPausedPastItsLeaseIsFencedOnTheCluster() async throws {
        try await ClusterProcessHarness.run(seed: .otherPrimary) { harness in
            let world = try await Self.startWorld(harness, ttl: "2s")
            let paused = world.leader
            let oldEpoch = try await harness.epoch()
            harness.replay.hold("GetMetricData")
            try await harness.waitUntil("the leader is inside a poll", timeout: .seconds(5)) { harness.replay.isHolding }
            await paused.send(SIGSTOP)
            harness.replay.release()
            do {
                try await harness.waitUntil("the standby leads and publishes", timeout: .seconds(12)) {
                    try await harness.log().contains { $0.epoch > oldEpoch }
                }
            } catch {
                await paused.send(SIGCONT)
                throw error
            }
            let newEpoch = try await harness.epoch()
            await paused.send(SIGCONT)
            try await harness.waitUntil("the paused leader's late publish is refused", timeout: .seconds(10)) {
                try paused.metrics()[#"aws_realtime_worker_fenced_total{stream="aws-metrics"}"#] ?? 0 >= 1
            }
            #expect(paused.logText().contains("Publish refused: this worker no longer holds the lease"))
            try await harness.waitUntil("the paused worker stands by", timeout: .seconds(5)) {
                try paused.metrics()["aws_realtime_worker_leader"] == 0
            }
            // A few more publishes of the new leader.
            try await Task.sleep(for: .seconds(2))
            let log = try await harness.log()
            let firstNew = try #require(log.firstIndex { $0.epoch == newEpoch })
            #expect(
                log[firstNew...].allSatisfy { $0.epoch == newEpoch }, "an old-epoch entry after the takeover: \(log.map(\.epoch))"
            )
            #expect(log[..<firstNew].allSatisfy { $0.epoch == oldEpoch })
            #expect(try world.standby.metrics()["aws_realtime_worker_leader"] == 1)
            #expect(try await harness.epoch() == newEpoch)
            try await Self.checkDelivery(harness, world)
            try await Self.checkLeadership(harness, world)
            try await Self.checkProcesses(harness, world)
        }
    }
}
