import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Payloads
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Two (or more) real `aws-realtime worker` processes against a real `redis-server` and the replay
/// server, all on 127.0.0.1, with a 2 s lease: one leads; killing it hands over within the TTL;
/// a leader paused past its TTL is fenced; a failover in the middle of CloudTrail pagination
/// publishes every event once; a Redis restart loses no envelope.
///
/// Serialized: each test starts its own processes, and the machine running them is small.
@Suite(
    .serialized, .timeLimit(.minutes(2)),
    .enabled(if: AWSRealtimeServer.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct WorkerFailoverTests {
    static let ttl = Duration.seconds(2)
    static let ttlMilliseconds = 2_000.0

    static var metricsWorker: String {
        FailoverHarness.configuration(ttl: "2s", enabled: [.metrics: FailoverCaptures.metricsConfiguration])
    }

    static func milliseconds(_ from: Date, _ to: Date) -> Double { (to.timeIntervalSince(from) * 1000).rounded() }

    /// Two workers started together: exactly one takes the lease, the `{p}leader` key holds its
    /// token, the other stands by (and both are ready), and it stays so.
    @Test func exactlyOneOfTwoWorkersLeads() async throws {
        try await FailoverHarness.run(captures: [FailoverCaptures.metrics]) { harness in
            async let first = harness.startWorker("a", configuration: Self.metricsWorker)
            async let second = harness.startWorker("b", configuration: Self.metricsWorker)
            let workers = try await [first, second]
            try await harness.waitUntil("one worker leads and has published", timeout: .seconds(10)) {
                guard FailoverHarness.leaders(workers).count == 1 else { return false }
                return try await !harness.log(.metrics).isEmpty
            }
            let leader = try #require(FailoverHarness.leaders(workers).first)
            let standby = try #require(workers.first { $0 !== leader })
            let token = try #require(try await harness.leaderToken())
            let epoch = try await harness.epoch()
            // The key's token is the one the leader logged when it took the lease.
            let tookTheLease = leader.logLines().filter { $0["message"] as? String == "Became the leader" }
            #expect(tookTheLease.map { $0["worker.lease.token"] as? String } == [String(token.prefix(8))])
            #expect(tookTheLease.first?["worker.epoch"] as? String == "\(epoch)")
            #expect(!standby.logText().contains("Became the leader"))
            // Stable for a while (more than a TTL): still one leader, one epoch, every envelope of it.
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(400))
                let leaderMetrics = try leader.metrics()
                let standbyMetrics = try standby.metrics()
                #expect(leaderMetrics["aws_realtime_worker_leader"] == 1)
                #expect(standbyMetrics["aws_realtime_worker_leader"] == 0)
                #expect(standbyMetrics["aws_realtime_worker_lease_acquisitions_total"] == 0)
                #expect(try await harness.leaderToken() == token)
            }
            #expect(try await harness.epoch() == epoch)
            let log = try await harness.log(.metrics)
            #expect(log.count >= 2)
            #expect(log.allSatisfy { $0.epoch == epoch })
            // Its GetMetricData requests went through that API's rate budget (50/s by default).
            let metrics = try leader.metrics()
            #expect(metrics[#"aws_realtime_worker_aws_rate_budget_calls_per_second{api="GetMetricData"}"#] == 50)
            #expect(metrics[#"aws_realtime_worker_aws_rate_budget_calls_total{api="GetMetricData"}"#] ?? 0 >= 2)
            #expect(metrics[#"aws_realtime_worker_aws_rate_budget_calls_total{api="LookupEvents"}"#] == 0)
            #expect(try leader.get("/ready").status == 200)
            #expect(try standby.get("/ready").body.hasPrefix("ready (standby)"))
        }
    }

    /// SIGKILL the leader, three times in a row (a fresh standby each time): the standby takes the
    /// lease within one TTL and publishes under the next epoch. Prints each takeover time.
    @Test func killedLeaderIsReplacedWithinOneTTL() async throws {
        try await FailoverHarness.run(captures: [FailoverCaptures.metrics]) { harness in
            var leader = try await harness.startWorker("leader-0", configuration: Self.metricsWorker)
            try await harness.waitUntil("the first worker leads", timeout: .seconds(10)) {
                try leader.metrics()["aws_realtime_worker_leader"] == 1
            }
            var measurements: [(acquired: Double, published: Double)] = []
            for round in 1...3 {
                let standby = try await harness.startWorker("standby-\(round)", configuration: Self.metricsWorker)
                // The takeover is timed from a standby already in its lease loop, not from a
                // process that may still be starting (a CI run measured 2.4 s once when the kill
                // came right after the standby's start).
                try await harness.waitUntil("standby-\(round) stands by", timeout: .seconds(10)) {
                    standby.logText().contains("Standing by")
                }
                let oldEpoch = try await harness.epoch()
                try await harness.waitUntil("epoch \(oldEpoch) has published", timeout: .seconds(10)) {
                    try await harness.log(.metrics).contains { $0.epoch == oldEpoch }
                }
                // Kill at a random point of the renew cycle (a third of the TTL), so the rounds
                // sample the whole spread of takeover times rather than one phase of it.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<700)))
                let killedAt = Date()
                await leader.kill()
                try await harness.waitUntil("a new epoch after the kill", timeout: Self.ttl + .seconds(5)) {
                    try await harness.epoch() > oldEpoch
                }
                let acquiredAt = Date()
                let newEpoch = try await harness.epoch()
                var firstEntry: LoggedEnvelope?
                try await harness.waitUntil("epoch \(newEpoch) publishes", timeout: .seconds(10)) {
                    firstEntry = try await harness.log(.metrics).first { $0.epoch == newEpoch }
                    return firstEntry != nil
                }
                let publishedAt = Date(timeIntervalSince1970: Double(firstEntry?.storedAtMilliseconds ?? 0) / 1000)
                let acquired = Self.milliseconds(killedAt, acquiredAt)
                let published = Self.milliseconds(killedAt, publishedAt)
                measurements.append((acquired, published))
                print(
                    "[failover] takeover \(round): lease taken \(Int(acquired)) ms after SIGKILL (seen by polling every 10 ms), "
                        + "first publish of epoch \(newEpoch) \(Int(published)) ms after (TTL \(Int(Self.ttlMilliseconds)) ms)")
                // Its gauge follows the epoch a moment later (set when the lease step returns).
                try await harness.waitUntil("standby-\(round) says it leads", timeout: .seconds(5)) {
                    try standby.metrics()["aws_realtime_worker_leader"] == 1
                }
                #expect(acquired <= Self.ttlMilliseconds + 250, "takeover \(round) took \(acquired) ms")
                leader = standby
            }
            let published = measurements.map(\.published)
            print(
                "[failover] takeover to first publish: min \(Int(published.min() ?? 0)) ms, max \(Int(published.max() ?? 0)) ms "
                    + "over \(published.count) kills")
        }
    }

    /// SIGTERM the leader: it finishes, releases the lease and exits; the standby takes over
    /// within a renew interval (its next attempt), not a whole TTL. Prints the handover time.
    @Test func terminatedLeaderHandsOverWithoutWaitingForTheTTL() async throws {
        try await FailoverHarness.run(captures: [FailoverCaptures.metrics]) { harness in
            let leader = try await harness.startWorker("leader", configuration: Self.metricsWorker)
            try await harness.waitUntil("the first worker leads", timeout: .seconds(10)) {
                try leader.metrics()["aws_realtime_worker_leader"] == 1
            }
            let standby = try await harness.startWorker("standby", configuration: Self.metricsWorker)
            try await harness.waitUntil("epoch 1 has published", timeout: .seconds(10)) {
                try await !harness.log(.metrics).isEmpty
            }
            let terminatedAt = Date()
            await leader.send(SIGTERM)
            try await harness.waitUntil("a new epoch", timeout: Self.ttl + .seconds(5)) { try await harness.epoch() == 2 }
            let handover = Self.milliseconds(terminatedAt, Date())
            print(
                "[failover] SIGTERM handover: lease taken \(Int(handover)) ms after SIGTERM (TTL \(Int(Self.ttlMilliseconds)) ms)"
            )
            // The renew interval is a third of the TTL; well under the TTL, with room for a loaded machine.
            #expect(handover < Self.ttlMilliseconds * 0.75, "handover took \(handover) ms")
            #expect(await leader.waitForExit(timeout: .seconds(10)))
            #expect(leader.logText().contains("Released the leader lease"))
            try await harness.waitUntil("the standby says it leads", timeout: .seconds(5)) {
                try standby.metrics()["aws_realtime_worker_leader"] == 1
            }
        }
    }

    /// SIGSTOP the leader inside a poll (its GetMetricData held by the replay server), until its
    /// lease has run out and the standby publishes under a new epoch; SIGCONT: its late publish is
    /// refused by the fencing script, counted in /metrics and logged, and it stops collecting.
    @Test func pausedLeaderIsFencedAfterTheStandbyTakesOver() async throws {
        try await FailoverHarness.run(captures: [FailoverCaptures.metrics]) { harness in
            let paused = try await harness.startWorker("paused", configuration: Self.metricsWorker)
            try await harness.waitUntil("the first worker leads", timeout: .seconds(10)) {
                try paused.metrics()["aws_realtime_worker_leader"] == 1
            }
            let standby = try await harness.startWorker("standby", configuration: Self.metricsWorker)
            let oldEpoch = try await harness.epoch()
            try await harness.waitUntil("epoch \(oldEpoch) has published", timeout: .seconds(10)) {
                try await harness.log(.metrics).contains { $0.epoch == oldEpoch }
            }
            harness.replay.hold("GetMetricData")
            try await harness.waitUntil("the leader is inside a poll", timeout: .seconds(5)) { harness.replay.isHolding }
            await paused.send(SIGSTOP)
            harness.replay.release()
            do {
                try await harness.waitUntil("the standby leads and publishes", timeout: Self.ttl + .seconds(8)) {
                    try await harness.log(.metrics).contains { $0.epoch > oldEpoch }
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
            let log = try await harness.log(.metrics)
            let firstNew = try #require(log.firstIndex { $0.epoch == newEpoch })
            #expect(log[firstNew...].allSatisfy { $0.epoch == newEpoch }, "an old-epoch entry after the takeover")
            // It stops collecting: not the leader, and no poll over more than one interval.
            try await harness.waitUntil("the paused worker stands by", timeout: .seconds(5)) {
                try paused.metrics()["aws_realtime_worker_leader"] == 0
            }
            let polls = try paused.metrics()[#"aws_realtime_worker_polls_total{stream="aws-metrics"}"#]
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(try paused.metrics()[#"aws_realtime_worker_polls_total{stream="aws-metrics"}"#] == polls)
            #expect(try standby.metrics()["aws_realtime_worker_leader"] == 1)
            #expect(try await harness.epoch() == newEpoch)
        }
    }

    /// The leader dies between two pages of its CloudTrail listing (the replay server holds page 2);
    /// the standby lists again from the stored cursor: every event id is in `{p}log:aws-activity`
    /// exactly once, also after further polls.
    @Test func failoverInTheMiddleOfCloudTrailPaginationPublishesEachEventOnce() async throws {
        let matching = CaptureMatching(
            ignoredFields: CaptureMatching.defaultIgnoredFields.filter { $0 != "NextToken" })
        try await FailoverHarness.run(captures: FailoverCaptures.cloudTrailPages, matching: matching) { harness in
            // The captured events are from 2026-11-22: a first poll that looks back far enough.
            let worker = FailoverHarness.configuration(
                ttl: "2s", enabled: [.activity: "  aws-activity: {interval: 1s, initialLookback: 90d}"])
            harness.replay.hold("LookupEvents", nextPageOnly: true)
            let first = try await harness.startWorker("first", configuration: worker)
            try await harness.waitUntil("the leader is between pages 1 and 2", timeout: .seconds(10)) {
                harness.replay.isHolding
            }
            let second = try await harness.startWorker("second", configuration: worker)
            #expect(try first.metrics()["aws_realtime_worker_leader"] == 1)
            let requestsBeforeKill = harness.replay.requests.count
            await first.kill()
            harness.replay.release()

            let expected = Set(FailoverCaptures.eventIDs)
            try await harness.waitUntil("every event is published", timeout: Self.ttl + .seconds(10)) {
                Set(try await harness.log(.activity).flatMap(\.eventIDs)) == expected
            }
            // Two more polls of the whole listing by the new leader change nothing.
            let listingsSoFar = harness.replay.requests.filter { $0.operation == "LookupEvents" && !$0.isNextPage }.count
            try await harness.waitUntil("two more listings", timeout: .seconds(10)) {
                harness.replay.requests.filter { $0.operation == "LookupEvents" && !$0.isNextPage }.count >= listingsSoFar + 2
            }
            let log = try await harness.log(.activity)
            let published = log.flatMap(\.eventIDs)
            #expect(published.count == expected.count, "published \(published.count) event ids for \(expected.count) events")
            #expect(Set(published) == expected)
            #expect(published == FailoverCaptures.eventIDs.reversed(), "oldest first, each once")
            // Nothing came from the dead leader; the new one paginated to the end.
            let epoch = try await harness.epoch()
            #expect(epoch == 2)
            #expect(log.allSatisfy { $0.epoch == epoch })
            let afterKill = harness.replay.requests.dropFirst(requestsBeforeKill)
            #expect(afterKill.contains { $0.operation == "LookupEvents" && $0.isNextPage })
            // Every page went through CloudTrail's 2 calls/s budget: at least two whole listings and
            // the start of a third, pages 2 and 3 of each waiting half a second.
            let metrics = try second.metrics()
            #expect(metrics["aws_realtime_worker_leader"] == 1)
            #expect(metrics[#"aws_realtime_worker_aws_rate_budget_calls_per_second{api="LookupEvents"}"#] == 2)
            #expect(metrics[#"aws_realtime_worker_aws_rate_budget_calls_total{api="LookupEvents"}"#] ?? 0 >= 7)
            #expect(metrics[#"aws_realtime_worker_aws_rate_budget_wait_seconds_total{api="LookupEvents"}"#] ?? 0 >= 1.9)
        }
    }

    /// Late events across a failover: the leader publishes what CloudTrail lists first and is
    /// killed; an event then shows up with an EventTime before the newest published, with a newer
    /// one. The standby resumes from the stored cursor (its window and seen set): each event is in
    /// `{p}log:aws-activity` exactly once, also after further polls.
    @Test func lateEventsAcrossAFailoverArePublishedExactlyOnce() async throws {
        let now = Int(Date().timeIntervalSince1970)
        func event(_ id: String, _ secondsBack: Int) -> String {
            #"{"EventId":"\#(id)","EventName":"RunInstances","EventTime":\#(now - secondsBack),"ReadOnly":"false","Resources":[]}"#
        }
        let template = FailoverCaptures.cloudTrailPages[0]
        let answers = [
            #"{"Events":[\#(event("b", 30)),\#(event("a", 60))]}"#,
            #"{"Events":[\#(event("c", 5)),\#(event("b", 30)),\#(event("a", 60)),\#(event("late", 120))]}"#,
        ]
        let captures = answers.enumerated().map { index, body in
            var capture = template
            capture.name = String(format: "%04d-cloudtrail-LookupEvents.json", index + 1)
            capture.response = CapturedResponse(status: 200, headers: template.response?.headers ?? [], body: Array(body.utf8))
            return capture
        }
        try await FailoverHarness.run(captures: captures) { harness in
            let worker = FailoverHarness.configuration(ttl: "2s", enabled: [.activity: "  aws-activity: {interval: 1s}"])
            let first = try await harness.startWorker("first", configuration: worker)
            try await harness.waitUntil("the first leader has published a and b", timeout: .seconds(10)) {
                try await harness.log(.activity).flatMap(\.eventIDs) == ["a", "b"]
            }
            await first.kill()
            let second = try await harness.startWorker("second", configuration: worker)
            try await harness.waitUntil("the standby has published the late event", timeout: Self.ttl + .seconds(10)) {
                try await harness.log(.activity).flatMap(\.eventIDs).count >= 4
            }
            // A few more polls by the new leader change nothing.
            let listings = harness.replay.requests.filter { $0.operation == "LookupEvents" }.count
            try await harness.waitUntil("three more listings", timeout: .seconds(10)) {
                harness.replay.requests.filter { $0.operation == "LookupEvents" }.count >= listings + 3
            }
            #expect(try await harness.log(.activity).flatMap(\.eventIDs) == ["a", "b", "late", "c"])
            #expect(try second.metrics()["aws_realtime_worker_leader"] == 1)
        }
    }

    /// Redis is killed (SIGKILL, append-only file synced on every write) and started again on the
    /// same port while the leader keeps polling: the envelopes it collected during the outage are
    /// published after Redis returns, in order, none lost, no takeover.
    @Test func redisRestartLosesNoEnvelope() async throws {
        try await FailoverHarness.run(captures: [FailoverCaptures.metrics]) { harness in
            // A TTL well above the outage: the leader's lease must outlive it by its own clock.
            let worker = FailoverHarness.configuration(ttl: "8s", enabled: [.metrics: FailoverCaptures.metricsConfiguration])
            let leader = try await harness.startWorker("leader", configuration: worker)
            try await harness.waitUntil("the leader has published twice", timeout: .seconds(10)) {
                try await harness.log(.metrics).count >= 2
            }
            let standby = try await harness.startWorker("standby", configuration: worker)
            let epoch = try await harness.epoch()
            let bufferedSeries = #"aws_realtime_worker_buffered_batches{stream="aws-metrics"}"#

            let downAt = Date()
            await harness.redis.kill()
            do {
                try await harness.waitUntil("two envelopes are buffered", timeout: .seconds(5)) {
                    try leader.metrics()[bufferedSeries] ?? 0 >= 2
                }
            } catch {
                try await harness.redis.start()
                throw error
            }
            let restartedAt = Date()
            try await harness.redis.start()
            print("[failover] Redis was down for \(Int(Self.milliseconds(downAt, Date()))) ms")
            try await harness.waitUntil("the buffer is published", timeout: .seconds(8)) {
                try leader.metrics()[bufferedSeries] == 0
            }
            // Every poll of the leader is one envelope in the log: none lost, none dropped.
            try await harness.waitUntil("the log holds every poll", timeout: .seconds(5)) {
                let polls = try leader.metrics()[#"aws_realtime_worker_polls_total{stream="aws-metrics"}"#] ?? -1
                return try await Double(harness.log(.metrics).count) == polls
            }
            let metrics = try leader.metrics()
            #expect(metrics[#"aws_realtime_worker_buffer_dropped_total{stream="aws-metrics"}"#] ?? 0 == 0)
            let log = try await harness.log(.metrics)
            #expect(log.allSatisfy { $0.epoch == epoch }, "no takeover")
            let outage = downAt.timeIntervalSince1970...restartedAt.timeIntervalSince1970
            let collectedInOutage = log.filter { outage.contains($0.collectedAt) }
            #expect(collectedInOutage.count >= 2)
            // Redis stored them after it was started again (its ids are its clock, in milliseconds).
            #expect(collectedInOutage.allSatisfy { Double($0.storedAtMilliseconds) >= outage.upperBound * 1000 - 1 })
            // In order: the log's order (by id) is the order of collection.
            #expect(zip(log, log.dropFirst()).allSatisfy { $0.collectedAt <= $1.collectedAt })
            #expect(try standby.metrics()["aws_realtime_worker_lease_acquisitions_total"] == 0)
            #expect(try await harness.epoch() == epoch)
        }
    }
}
