import AWSCapture
import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Payloads
import Testing

@testable import Worker

/// CloudWatch cross-account observability from a monitoring account, against captured answers
/// replayed through the real libcurl path: `ListMetrics IncludeLinkedAccounts=true` lists two
/// linked accounts' metrics with their `OwningAccounts`, each `GetMetricData` query carries its
/// series' `AccountId`, and each account's series come out in a batch of their own.
@Suite struct MetricsLinkedAccountsReplayTests {
    static let now = "2026-11-27T10:07:30Z"

    static var captures: [Capture] {
        let listMetrics = CollectorFixtures.cloudWatch(
            "0001-monitoring-ListMetrics",
            request: "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2&RecentlyActive=PT3H&IncludeLinkedAccounts=true",
            response: """
                <ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult><Metrics>\
                <member><Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName><Dimensions><member>\
                <Name>InstanceId</Name><Value>i-a</Value></member></Dimensions></member>\
                <member><Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName><Dimensions><member>\
                <Name>InstanceId</Name><Value>i-b</Value></member></Dimensions></member>\
                <member><Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName><Dimensions><member>\
                <Name>InstanceId</Name><Value>i-a</Value></member></Dimensions></member>\
                </Metrics><OwningAccounts><member>111111111111</member><member>222222222222</member>\
                <member>222222222222</member></OwningAccounts></ListMetricsResult>\
                <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListMetricsResponse>
                """)
        // Series sorted by id then account: i-a in 111..., i-a in 222..., i-b in 222...
        func query(_ index: Int, instance: String, account: String) -> String {
            let member = "MetricDataQueries.member.\(index + 1)"
            return "&\(member).Id=m\(index)&\(member).MetricStat.Metric.Namespace=AWS%2FEC2"
                + "&\(member).MetricStat.Metric.MetricName=CPUUtilization"
                + "&\(member).MetricStat.Metric.Dimensions.member.1.Name=InstanceId"
                + "&\(member).MetricStat.Metric.Dimensions.member.1.Value=\(instance)"
                + "&\(member).MetricStat.Period=300&\(member).MetricStat.Stat=Average&\(member).AccountId=\(account)"
        }
        let getMetricData = CollectorFixtures.cloudWatch(
            "0002-monitoring-GetMetricData",
            request: "Action=GetMetricData&Version=2010-08-01"
                + query(0, instance: "i-a", account: "111111111111") + query(1, instance: "i-a", account: "222222222222")
                + query(2, instance: "i-b", account: "222222222222")
                + "&StartTime=2026-11-27T09%3A55%3A00Z&EndTime=2026-11-27T10%3A10%3A00Z&ScanBy=TimestampAscending",
            response: """
                <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>\
                <MetricDataResults>\
                <member><Id>m0</Id><Label>m0</Label><Timestamps><member>2026-11-27T10:00:00Z</member></Timestamps>\
                <Values><member>11</member></Values><StatusCode>Complete</StatusCode></member>\
                <member><Id>m1</Id><Label>m1</Label><Timestamps><member>2026-11-27T10:00:00Z</member></Timestamps>\
                <Values><member>22</member></Values><StatusCode>Complete</StatusCode></member>\
                <member><Id>m2</Id><Label>m2</Label><Timestamps><member>2026-11-27T10:00:00Z</member></Timestamps>\
                <Values><member>23</member></Values><StatusCode>Complete</StatusCode></member>\
                </MetricDataResults><Messages/></GetMetricDataResult>\
                <ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetMetricDataResponse>
                """)
        return [listMetrics, getMetricData]
    }

    @Test func eachLinkedAccountsSeriesInABatchOfItsOwn() async throws {
        var settings = MetricsSettings()
        settings.discoveryNamespaces = ["AWS/EC2"]
        settings.windowPeriods = 3
        settings.includeLinkedAccounts = true
        let linked = settings
        let now = try CollectorFixtures.date(Self.now)
        let batches = try await CollectorFixtures.withReplay(Self.captures, configure: { $0.exhaustion = .notFound }) {
            client in
            let collector = MetricsCollector(
                cloudWatch: CloudWatchClient(client: client, logger: CollectorFixtures.logger), settings: linked,
                logger: CollectorFixtures.logger, now: { now })
            let batches = try await collector.collect(from: [:])
            #expect(collector.cloudWatch.usage.usage(of: "GetMetricData").requests == 1, "one call for every account")
            return batches
        }
        #expect(batches.map(\.account) == ["111111111111", "222222222222"])
        let first = try JSONDecoder().decode(MetricsData.self, from: Data(batches[0].data))
        #expect(first.series.map(\.id) == ["AWS/EC2|CPUUtilization|InstanceId=i-a|Average|300"])
        #expect(first.series.first?.latest?.v == 11)
        let second = try JSONDecoder().decode(MetricsData.self, from: Data(batches[1].data))
        #expect(
            second.series.map(\.id) == [
                "AWS/EC2|CPUUtilization|InstanceId=i-a|Average|300", "AWS/EC2|CPUUtilization|InstanceId=i-b|Average|300",
            ])
        #expect(second.series.map { $0.latest?.v } == [22, 23])
        #expect(batches.allSatisfy { $0.cursor == batches[0].cursor && $0.cursor["read:300"] == "1795773900" })
        try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")
    }

    @Test func theSettingIsReadFromTheFile() throws {
        let settings = try WorkerSettings.parse(
            yaml: "streams: {aws-metrics: {discovery: {includeLinkedAccounts: true}}}")
        #expect(settings.streams.metrics.includeLinkedAccounts)
        #expect(settings.effectiveYAML.contains("      includeLinkedAccounts: true\n"))
        #expect(!WorkerSettings().streams.metrics.includeLinkedAccounts)
    }
}
