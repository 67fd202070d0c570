import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Payloads
import Testing

@testable import Worker

/// The metrics collector against captured CloudWatch answers, replayed on 127.0.0.1 through
/// the real libcurl path: pagination of both operations, empty results, AWS errors.
@Suite struct MetricsCollectorReplayTests {
    static let now = "2026-11-27T10:07:30Z"

    static func collector(_ client: AWSClient, settings: MetricsSettings) throws -> MetricsCollector {
        let now = try CollectorFixtures.date(Self.now)
        return MetricsCollector(
            cloudWatch: CloudWatchClient(client: client, logger: CollectorFixtures.logger), settings: settings,
            logger: CollectorFixtures.logger, now: { now })
    }

    static var ec2Discovery: MetricsSettings {
        var settings = MetricsSettings()
        settings.discoveryNamespaces = ["AWS/EC2"]
        settings.windowPeriods = 3
        return settings
    }

    /// `collectors-metrics/discovery-pages`: ListMetrics in two pages, then one GetMetricData
    /// whose answer comes in two pages (m0 continued on the second).
    @Test func discoveryAndGetMetricDataAcrossPages() async throws {
        let captures = try CollectorFixtures.captures("collectors-metrics/discovery-pages")
        let batches = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .notFound }) { client in
            let collector = try Self.collector(client, settings: Self.ec2Discovery)
            let batches = try await collector.collect(from: [:])
            #expect(collector.cloudWatch.usage.usage(of: "ListMetrics").requests == 2)
            #expect(collector.cloudWatch.usage.usage(of: "GetMetricData").requests == 2)
            // 2 ListMetrics requests + 3 metrics requested twice (both pages of the batch), $0.01 per 1,000 each.
            let dollars = collector.cloudWatch.usage.snapshot.reduce(0) { $0 + $1.value.dollars(of: $1.key) }
            #expect(abs(dollars - 8 * 0.00001) < 1e-12)
            return batches
        }
        #expect(batches.count == 1)
        let batch = try #require(batches.first)
        #expect(batch.type == "metrics")
        #expect(batch.cursor == ["lastPoll": "2026-11-27T10:07:30.000Z", "read:300": "1795773900"])
        let data = try JSONDecoder().decode(MetricsData.self, from: Data(batch.data))
        #expect(
            data.series.map(\.id) == [
                "AWS/EC2|CPUUtilization|InstanceId=i-a|Average|300",
                "AWS/EC2|CPUUtilization|InstanceId=i-b|Average|300",
                "AWS/EC2|NetworkIn|InstanceId=i-a|Sum|300",
            ])
        #expect(
            data.series[0].points == [
                MetricPoint(t: "2026-11-27T09:55:00.000Z", v: 11.5, partial: false),
                MetricPoint(t: "2026-11-27T10:00:00.000Z", v: 12.5, partial: false),
                MetricPoint(t: "2026-11-27T10:05:00.000Z", v: 13.75, partial: true),
            ])
        #expect(data.series[1].latest == MetricPoint(t: "2026-11-27T10:05:00.000Z", v: 70.25, partial: true))
        #expect(data.series[2].points.isEmpty)
        #expect(data.series[2].latest == nil)
        #expect(data.series[2].unit == "Bytes")
        #expect(data.series[0].dimensions == ["InstanceId": "i-a"])
        let json = String(decoding: batch.data, as: UTF8.self)
        #expect(json.contains(#""namespace":"AWS/EC2""#))
        try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")
    }

    @Test func nothingDiscoveredPublishesAnEmptyList() async throws {
        let empty = CollectorFixtures.cloudWatch(
            "0001-monitoring-ListMetrics.json",
            request: "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2&RecentlyActive=PT3H",
            response:
                #"<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult><Metrics/></ListMetricsResult></ListMetricsResponse>"#
        )
        let batches = try await CollectorFixtures.withReplay([empty], configure: { $0.exhaustion = .notFound }) { client in
            let collector = try Self.collector(client, settings: Self.ec2Discovery)
            let batches = try await collector.collect(from: [:])
            #expect(collector.cloudWatch.usage.usage(of: "GetMetricData").requests == 0)
            return batches
        }
        #expect(batches.map { String(decoding: $0.data, as: UTF8.self) } == [#"{"series":[]}"#])
        #expect(batches.first?.cursor["read:300"] == "1795773900")
        try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")
    }

    @Test func aConfiguredMetricWithoutDataIsListedWithoutPoints() async throws {
        var settings = MetricsSettings()
        settings.metrics = [MetricsSettings.Metric(namespace: "Custom/App", name: "QueueDepth", statistic: "Maximum", period: 60)]
        settings.windowPeriods = 2
        let capture = CollectorFixtures.cloudWatch(
            "0001-monitoring-GetMetricData.json",
            request: "Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=m0"
                + "&MetricDataQueries.member.1.MetricStat.Metric.Namespace=Custom%2FApp"
                + "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=QueueDepth"
                + "&MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Maximum"
                + "&ScanBy=TimestampAscending",
            response: #"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>"#
                + "<MetricDataResults><member><Id>m0</Id><Label>QueueDepth</Label><Timestamps/><Values/>"
                + "<StatusCode>Complete</StatusCode></member></MetricDataResults><Messages/></GetMetricDataResult>"
                + "</GetMetricDataResponse>")
        let configured = settings
        let batches = try await CollectorFixtures.withReplay([capture], configure: { $0.exhaustion = .notFound }) { client in
            try await Self.collector(client, settings: configured).collect(from: [:])
        }
        #expect(
            batches.map { String(decoding: $0.data, as: UTF8.self) } == [
                #"{"series":[{"dimensions":{},"id":"Custom/App|QueueDepth||Maximum|60","metric":"QueueDepth","namespace":"Custom/App","#
                    + #""period":60,"points":[],"statistic":"Maximum"}]}"#
            ])
        try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")
    }

    @Test func anAWSErrorSurfacesWithServiceAndOperation() async throws {
        let captures = try CollectorFixtures.captures("collectors-metrics/discovery-pages")
        await #expect {
            try await CollectorFixtures.withReplay(
                captures,
                configure: {
                    $0.faults = ReplayFaultSchedule(rules: [.init(operation: "GetMetricData", fault: ReplayFault(.accessDenied))])
                }
            ) { client in
                try await Self.collector(client, settings: Self.ec2Discovery).collect(from: [:])
            }
        } throws: { error in
            let error = error as? AWSError
            return error?.kind == .service && error?.service == "cloudwatch" && error?.operation == "GetMetricData"
                && error?.code == "AccessDenied"
        }
    }
}
