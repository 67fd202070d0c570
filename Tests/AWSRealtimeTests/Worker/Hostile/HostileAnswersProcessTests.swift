import Foundation
import Payloads
import Redis
import TestSupport
import Testing

/// Real `aws-realtime worker` processes against a replay endpoint that answers like a hostile or
/// broken AWS: events with times no AWS answer carries (1e300 seconds, Int64.max milliseconds)
/// in LookupEvents, FilterLogEvents and DescribeEvents, and an error code written to forge a
/// Prometheus series. The worker keeps running, publishes the good events, skips the bad ones
/// with a warning naming the API and the field, counts them, and its `/metrics` stays well formed.
/// The standby that takes over reads the same answers and keeps running too.
@Suite(
    .serialized, .timeLimit(.minutes(2)),
    .enabled(if: AWSRealtimeServer.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct HostileAnswersProcessTests {
    static let reducedCode = "Evil___1_forged_series_x__y"

    static var configuration: String {
        FailoverHarness.configuration(
            ttl: "2s",
            enabled: [
                .metrics: FailoverCaptures.metricsConfiguration,
                // The good events are from 2026-11-22: first polls that look back far enough.
                .logs: "  aws-logs: {interval: 1s, logGroups: [/hostile/app], maxEventsPerPoll: 100, initialLookback: 90d}",
                .activity: "  aws-activity: {interval: 1s, initialLookback: 90d}",
                .health: "  aws-health: {interval: 1s, initialLookback: 90d}",
            ])
    }

    static func skipped(_ operation: String) -> String {
        #"aws_realtime_worker_aws_items_skipped_total{operation="\#(operation)"}"#
    }

    @Test func outOfRangeTimesAndForgedErrorCodesDoNotStopTheWorker() async throws {
        try await FailoverHarness.run(captures: HostileCaptures.all) { harness in
            let first = try await harness.startWorker("first", configuration: Self.configuration)
            try await harness.waitUntil("the good events are published and the bad ones skipped", timeout: .seconds(20)) {
                guard first.isAlive else { return true }
                let metrics = try first.metrics()
                let skipped = ["LookupEvents", "FilterLogEvents", "DescribeEvents"].allSatisfy {
                    (metrics[Self.skipped($0)] ?? 0) >= 1
                }
                let activity = try await harness.members(of: .activity, "id")
                let logs = try await harness.members(of: .logs, "id")
                let health = try await harness.members(of: .health, "arn")
                let published =
                    activity == ["trail-good"] && logs == ["log-good"] && health == ["arn:aws:health:us-east-1::event/EC2/good"]
                return skipped && published && (metrics[Self.errorSeries] ?? 0) >= 1
            }
            #expect(first.isAlive, "the worker died: \(first.logText().suffix(1_500))")
            try Self.expectWellFormedMetrics(first)

            // Each bad event was logged as a warning naming the operation and the field.
            let warnings = first.logLines().filter {
                $0["message"] as? String == "Skipped an item of the AWS answer that does not decode"
            }
            for (operation, problem, id) in [
                ("LookupEvents", ".Events[1].EventTime: 1e+300 is not a time between 1970 and 9999", "trail-bad"),
                ("FilterLogEvents", ".events[1].timestamp: 9223372036854775807 is not a time between 1970 and 9999", "log-bad"),
                (
                    "DescribeEvents", ".events[1].lastUpdatedTime: 1e+300 is not a time between 1970 and 9999",
                    "arn:aws:health:us-east-1::event/EC2/bad"
                ),
            ] {
                let warning = warnings.first { $0["aws.operation"] as? String == operation }
                #expect(warning?["level"] as? String == "warning")
                #expect(warning?["aws.item.problem"] as? String == problem)
                #expect(warning?["aws.item.id"] as? String == id)
            }
            // The forged error code was logged reduced, in the poll's error.
            #expect(!first.logText().contains("forged_series{"))

            // A standby takes over from the killed leader, reads the same answers, and keeps running.
            let second = try await harness.startWorker("second", configuration: Self.configuration)
            await first.kill()
            try await harness.waitUntil("the standby leads and has skipped the bad events too", timeout: .seconds(15)) {
                guard second.isAlive else { return true }
                let metrics = try second.metrics()
                return metrics["aws_realtime_worker_leader"] == 1 && (metrics[Self.skipped("LookupEvents")] ?? 0) >= 1
                    && (metrics[Self.skipped("FilterLogEvents")] ?? 0) >= 1 && (metrics[Self.skipped("DescribeEvents")] ?? 0) >= 1
            }
            #expect(second.isAlive, "the standby died: \(second.logText().suffix(1_500))")
            try Self.expectWellFormedMetrics(second)
            // No good event was published twice by the new leader.
            #expect(try await harness.members(of: .activity, "id") == ["trail-good"])
            #expect(try await harness.members(of: .logs, "id") == ["log-good"])
        }
    }

    static var errorSeries: String {
        #"aws_realtime_worker_aws_errors_total{stream="aws-metrics",operation="GetMetricData",code="\#(reducedCode)"}"#
    }

    /// The forged series does not exist, and every sample line belongs to a declared metric.
    static func expectWellFormedMetrics(_ worker: AWSRealtimeServer) throws {
        let metrics = try worker.metrics()
        #expect(metrics[HostileCaptures.forgedSeries] == nil)
        #expect((metrics[errorSeries] ?? 0) >= 1, "\(metrics.text)")
        let lines = metrics.text.split(separator: "\n")
        let declared = Set(lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        for line in lines where !line.hasPrefix("#") {
            let name = line.split(whereSeparator: { $0 == "{" || $0 == " " })[0]
            #expect(declared.contains(name), "undeclared sample line: \(line)")
        }
    }
}

extension FailoverHarness {
    /// `data.events[].<member>` of every envelope in `{p}log:<stream>`, oldest first.
    func members(of stream: StreamName, _ member: String) async throws -> [String] {
        try await client.xrange(Self.keyPrefix + "log:" + stream.rawValue, from: "-", to: "+").flatMap { entry in
            let object = entry[field: "e"].flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.readableBytesView)) as? [String: Any]
            }
            let events = (object?["data"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
            return events.compactMap { $0[member] as? String }
        }
    }
}
