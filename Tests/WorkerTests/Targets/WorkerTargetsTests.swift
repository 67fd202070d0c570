import AWSCore
import Bus
import Foundation
import Payloads
import TestSupport
import Testing

@testable import Worker

// Integration: the real worker on wall-clock timers (as WorkerTests), polling several targets.
@Suite(.tags(.integration)) struct WorkerTargetsTests {
    static let deniedRole = "arn:aws:iam::333333333333:role/aws-realtime-reader"

    /// Three targets publish on one stream, each envelope stamped with its own account and
    /// Region and each target continuing from its own cursor; a fourth, whose role cannot be
    /// assumed, is `unavailable` with AWS's error in its own state envelope.
    @Test func eachTargetPublishesWithItsOwnAccountRegionAndCursor() async throws {
        let bus = InProcessBus()
        let targets: [WorkerTarget] = [
            .configured(account: "111111111111", region: "eu-west-1"),
            .configured(account: "111111111111", region: "us-east-1"),
            .configured(account: "222222222222", region: "eu-west-1"),
        ]
        let sources = targets.map { _ in SequenceSource() }
        var entries = zip(targets, sources).map { target, source in
            WorkerTargetCollectors(target: target, collectors: [SequenceCollector(stream: .logs, source: source)])
        }
        let denied = WorkerTarget.configured(account: "333333333333", region: "eu-west-1")
        entries.append(
            WorkerTargetCollectors(target: denied, collectors: [DeniedRoleCollector(stream: .logs, role: Self.deniedRole)]))
        let statistics = WorkerStatistics()
        let worker = Worker(
            configuration: WorkerTesting.configuration(), targets: entries, bus: bus, statistics: statistics,
            logger: WorkerTesting.logger)
        // Different counts per target, so that a target reading another's events would show.
        for (index, source) in sources.enumerated() { source.add(3 + index) }

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            #expect(
                await WorkerTesting.eventually {
                    let envelopes = try await PublishedEnvelope.history(bus, stream: .logs)
                    return envelopes.filter { $0.type == "logs" }.count == 3
                        && envelopes.contains { $0.type == StreamStateData.type }
                })
            worker.stop()
        }

        let envelopes = try await PublishedEnvelope.history(bus, stream: .logs)
        for (index, target) in targets.enumerated() {
            let own = envelopes.filter { $0.account == target.account && $0.region == target.region }
            #expect(own.count == 1, "one batch for \(target)")
            #expect(own.first?.data as? [Int] == Array(1...(3 + index)))
            #expect(
                try await bus.cursor(of: .logs, scope: .target(account: target.account, region: target.region))
                    == ["last": "\(3 + index)"])
        }
        #expect(try await bus.cursor(of: .logs) == [:], "configured targets never touch the stream's own cursor")

        let state = try #require(envelopes.first { $0.type == StreamStateData.type })
        #expect(state.account == "333333333333" && state.region == "eu-west-1")
        #expect(state.state == "unavailable")
        #expect(state.operation == "AssumeRole" && state.stateCode == "AccessDenied")
        #expect(envelopes.filter { $0.account == "333333333333" }.count == 1, "only its state")

        let snapshot = statistics.snapshot
        let deniedKey = WorkerStatistics.TargetKey(stream: .logs, account: "333333333333", region: "eu-west-1")
        #expect(snapshot.targets[deniedKey]?.state?.state == "unavailable")
        #expect(snapshot.targets[deniedKey]?.pollErrors ?? 0 >= 1)
        let liveKey = WorkerStatistics.TargetKey(stream: .logs, account: "111111111111", region: "eu-west-1")
        #expect(snapshot.targets[liveKey]?.published == 1)
        #expect(snapshot.states[.logs]?.state == "unavailable", "the stream's own state is its worst target's")
        #expect(snapshot.awsErrors.keys.contains { $0.contains("AssumeRole") && $0.contains("AccessDenied") })
        let text = WorkerMetricsText.render(snapshot, configuration: WorkerTesting.configuration(), now: 0)
        #expect(
            text.contains(
                #"aws_realtime_worker_target_stream_state{stream="aws-logs",account="333333333333",region="eu-west-1",state="unavailable"} 1"#
            ))
        #expect(
            text.contains(
                #"aws_realtime_worker_target_published_total{stream="aws-logs",account="111111111111",region="eu-west-1"} 1"#))
    }

    /// With several targets a heartbeat is about the stream's channel: once per stream and
    /// interval, `*` in both `account` and `region`.
    @Test func heartbeatsGoOncePerStreamForEveryTarget() async throws {
        let bus = HeartbeatRecordingBus()
        let entries = ["eu-west-1", "us-east-1"].map { region in
            WorkerTargetCollectors(
                target: .configured(account: "111111111111", region: region),
                collectors: [SequenceCollector(stream: .logs, source: SequenceSource())])
        }
        let worker = Worker(
            configuration: WorkerTesting.configuration(), targets: entries, bus: bus, logger: WorkerTesting.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            #expect(await WorkerTesting.eventually { bus.heartbeats.withLock { $0.count } >= 2 })
            worker.stop()
        }
        let heartbeats = bus.heartbeats.withLock { $0 }
        #expect(heartbeats.allSatisfy { $0.stream == .logs })
        let text = String(decoding: try #require(heartbeats.first).envelope, as: UTF8.self)
        #expect(text.contains(#""type":"heartbeat""#))
        #expect(text.contains(#""account":"*","region":"*""#))
    }

    /// A monitoring account's batches of linked accounts: each envelope stamped with its own
    /// account, in the monitoring target's Region, with the monitoring target's cursor.
    @Test func batchesFromOtherAccountsAndRegionsCarryTheirOwn() async throws {
        let bus = InProcessBus()
        let monitoring = WorkerTarget.configured(account: "999999999999", region: "eu-west-1")
        let worker = Worker(
            configuration: WorkerTesting.configuration(),
            targets: [
                WorkerTargetCollectors(
                    target: monitoring,
                    collectors: [
                        LinkedAccountsCollector(
                            stream: .logs, accounts: ["111111111111", "222222222222"], regions: [nil, "us-east-1"])
                    ])
            ], bus: bus, logger: WorkerTesting.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            #expect(await WorkerTesting.eventually { try await PublishedEnvelope.history(bus, stream: .logs).count == 2 })
            worker.stop()
        }
        let envelopes = try await PublishedEnvelope.history(bus, stream: .logs)
        #expect(envelopes.map(\.account) == ["111111111111", "222222222222"])
        #expect(envelopes.map(\.region) == ["eu-west-1", "us-east-1"])
        #expect(try await bus.cursor(of: .logs, scope: monitoring.cursorScope) == ["done": "1"])
    }
}
