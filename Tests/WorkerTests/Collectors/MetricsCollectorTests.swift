import AWSCore
import AWSServices
import Foundation
import Payloads
import Synchronization
import TestSupport
import Testing

@testable import Worker

/// The metrics collector against a fake CloudWatch on 127.0.0.1 (the real client over libcurl):
/// request counts, the partial-then-settled correction, discovery caching and the series cap.
@Suite struct MetricsCollectorTests {
    static func decode(_ batch: CollectedBatch) throws -> MetricsData {
        try JSONDecoder().decode(MetricsData.self, from: Data(batch.data))
    }

    static func decode(_ batches: [CollectedBatch]) throws -> MetricsData {
        let batch = try #require(batches.first)
        return try decode(batch)
    }

    static func cpu(_ instance: String) -> CloudWatchMetric {
        CloudWatchMetric(
            namespace: "AWS/EC2", metricName: "CPUUtilization",
            dimensions: [CloudWatchDimension(name: "InstanceId", value: instance)])
    }

    /// Runs `body` with a collector over a fake CloudWatch.
    @discardableResult
    static func withCollector<T: Sendable>(
        _ fake: MetricsFakeCloudWatch, settings: MetricsSettings, clock: ManualClock, maxPayloadBytes: Int = 1 << 20,
        _ body: (MetricsCollector) async throws -> T
    ) async throws -> T {
        try await withHTTPTestServer(handler: fake.handler) { server in
            try await CollectorFixtures.withClient(endpoint: server.url()) { client in
                let collector = MetricsCollector(
                    cloudWatch: CloudWatchClient(client: client, logger: CollectorFixtures.logger), settings: settings,
                    logger: CollectorFixtures.logger, now: clock.now, maxPayloadBytes: maxPayloadBytes)
                return try await body(collector)
            }
        }
    }

    @Test func twelveHundredMetricsCostThreeRequestsAPoll() async throws {
        var settings = MetricsSettings()
        settings.metrics = (0..<1_200).map { index in
            MetricsSettings.Metric(
                namespace: "AWS/EC2", name: "CPUUtilization", dimensions: ["InstanceId": "i-\(index)"], statistic: "Average")
        }
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:07:30Z"))
        let fake = MetricsFakeCloudWatch { query, _, end in
            [(end.addingTimeInterval(-600), Double(query.id.dropFirst()) ?? -1)]
        }
        try await Self.withCollector(fake, settings: settings, clock: clock) { collector in
            let first = try await collector.collect(from: [:])
            #expect(fake.requests(of: "GetMetricData") == 3)
            #expect(fake.queriesPerRequest == [500, 500, 200])
            #expect(fake.requests(of: "ListMetrics") == 0)
            #expect(first.count == 1)
            #expect(collector.usage?.usage(of: "GetMetricData").billedRequests == 3)
            #expect(abs((collector.usage?.usage(of: "GetMetricData").dollars(of: "GetMetricData") ?? 0) - 0.012) < 1e-9)
            let data = try Self.decode(first)
            #expect(data.series.count == 1_200)
            #expect(data.series[1_199].points == [MetricPoint(t: "2026-11-27T10:00:00.000Z", v: 1_199, partial: false)])
            #expect(data.series[0].id == "AWS/EC2|CPUUtilization|InstanceId=i-0|Average|300")
            try await CollectorFixtures.expectValid(first, schema: "aws-metrics")

            clock.advance(by: 300)
            let second = try await collector.collect(from: first[0].cursor)
            #expect(fake.requests(of: "GetMetricData") == 6)
            // Read once per period: the cursor says the period that ended at 10:10 was read.
            #expect(second.first?.cursor == ["lastPoll": "2026-11-27T10:12:30.000Z", "read:300": "1795774200"])
            try await CollectorFixtures.expectValid(second, schema: "aws-metrics")
        }
    }

    /// Poll 1 at 10:07:30 publishes 10:05 as partial (40); poll 2 at 10:12:30 publishes the
    /// settled 10:05 (55, not partial) and the new partial 10:10.
    @Test func partialPointIsPublishedAgainOnceSettled() async throws {
        var settings = MetricsSettings()
        settings.metrics = [
            MetricsSettings.Metric(namespace: "AWS/EC2", name: "CPUUtilization", dimensions: ["InstanceId": "i-1"])
        ]
        settings.windowPeriods = 3
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:07:30Z"))
        let values = Mutex<[String: Double]>([
            "2026-11-27T09:55:00Z": 10, "2026-11-27T10:00:00Z": 20, "2026-11-27T10:05:00Z": 40,
        ])
        let fake = MetricsFakeCloudWatch { _, start, end in
            values.withLock { values in
                values.compactMap { key, value -> (Date, Double)? in
                    guard let date = ISO8601.date(from: key), date >= start, date < end else { return nil }
                    return (date, value)
                }.sorted { $0.0 < $1.0 }
            }
        }
        try await Self.withCollector(fake, settings: settings, clock: clock) { collector in
            let first = try await collector.collect(from: [:])
            let firstSeries = try #require(Self.decode(first).series.first)
            #expect(
                firstSeries.points == [
                    MetricPoint(t: "2026-11-27T09:55:00.000Z", v: 10, partial: false),
                    MetricPoint(t: "2026-11-27T10:00:00.000Z", v: 20, partial: false),
                    MetricPoint(t: "2026-11-27T10:05:00.000Z", v: 40, partial: true),
                ])
            #expect(firstSeries.latest == MetricPoint(t: "2026-11-27T10:05:00.000Z", v: 40, partial: true))
            #expect(firstSeries.unit == "Percent")

            values.withLock {
                $0["2026-11-27T10:05:00Z"] = 55
                $0["2026-11-27T10:10:00Z"] = 7
            }
            clock.set(try CollectorFixtures.date("2026-11-27T10:12:30Z"))
            let second = try await collector.collect(from: first[0].cursor)
            let secondSeries = try #require(Self.decode(second).series.first)
            #expect(
                secondSeries.points == [
                    MetricPoint(t: "2026-11-27T10:00:00.000Z", v: 20, partial: false),
                    MetricPoint(t: "2026-11-27T10:05:00.000Z", v: 55, partial: false),
                    MetricPoint(t: "2026-11-27T10:10:00.000Z", v: 7, partial: true),
                ])
            #expect(secondSeries.id == firstSeries.id)
            try await CollectorFixtures.expectValid(first + second, schema: "aws-metrics")
        }
    }

    @Test func discoveryIsCachedForItsIntervalAndAFailureKeepsThePreviousList() async throws {
        let metrics = [
            Self.cpu("i-1"),
            CloudWatchMetric(
                namespace: "AWS/Lambda", metricName: "Invocations",
                dimensions: [CloudWatchDimension(name: "FunctionName", value: "orders")]),
            CloudWatchMetric(
                namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: [CloudWatchDimension(name: "QueueName", value: "jobs")]),
        ]
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:07:30Z"))
        let fake = MetricsFakeCloudWatch(metrics: metrics)
        let namespaces = MetricsSettings.commonNamespaces.count
        try await Self.withCollector(fake, settings: MetricsSettings(), clock: clock) { collector in
            let first = try await collector.collect(from: [:])
            #expect(fake.requests(of: "ListMetrics") == namespaces)
            #expect(fake.listedNamespaces == MetricsSettings.commonNamespaces.map { "\($0) PT3H" })
            #expect(fake.requests(of: "GetMetricData") == 1)
            let usage = collector.usage?.snapshot ?? [:]
            #expect(usage.values.reduce(0) { $0 + $1.requests } == namespaces + 1)
            // 10 ListMetrics requests + 3 metrics requested, $0.01 per 1,000 of each.
            #expect(abs(usage.reduce(0) { $0 + $1.value.dollars(of: $1.key) } - 13 * 0.00001) < 1e-12)
            let series = try Self.decode(first).series
            #expect(
                series.map(\.id) == [
                    "AWS/EC2|CPUUtilization|InstanceId=i-1|Average|300",
                    "AWS/Lambda|Invocations|FunctionName=orders|Sum|300",
                    "AWS/SQS|ApproximateNumberOfMessagesVisible|QueueName=jobs|Maximum|300",
                ])
            #expect(series.allSatisfy { $0.points.isEmpty && $0.latest == nil })

            clock.advance(by: 14 * 60)
            let second = try await collector.collect(from: [:])
            #expect(fake.requests(of: "ListMetrics") == namespaces, "within 15 minutes discovery is not repeated")
            #expect(try Self.decode(second).series.map(\.id) == series.map(\.id))

            clock.advance(by: 60)
            let third = try await collector.collect(from: [:])
            #expect(fake.requests(of: "ListMetrics") == 2 * namespaces, "after 15 minutes discovery runs again")

            fake.isListFailing = true
            clock.advance(by: 15 * 60)
            let afterFailure = try await collector.collect(from: [:])
            #expect(fake.requests(of: "ListMetrics") == 2 * namespaces + 1)
            #expect(try Self.decode(afterFailure).series.map(\.id) == series.map(\.id))
            try await CollectorFixtures.expectValid(first + second + third + afterFailure, schema: "aws-metrics")
        }
    }

    @Test func aFirstDiscoveryFailureFailsThePoll() async throws {
        let fake = MetricsFakeCloudWatch(metrics: [Self.cpu("i-1")])
        fake.isListFailing = true
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:07:30Z"))
        try await Self.withCollector(fake, settings: MetricsSettings(), clock: clock) { collector in
            await #expect {
                try await collector.collect(from: [:])
            } throws: { error in
                let error = error as? AWSError
                return error?.service == "cloudwatch" && error?.operation == "ListMetrics" && error?.code == "AccessDenied"
            }
        }
    }

    @Test func discoveredSeriesAreCappedAtMaxSeriesInIdOrder() async throws {
        let metrics = (0..<25).reversed().map { Self.cpu("i-\(String($0).count == 1 ? "0\($0)" : "\($0)")") }
        var settings = MetricsSettings()
        settings.discoveryNamespaces = ["AWS/EC2"]
        settings.maxSeries = 10
        settings.discoveryPeriod = 60
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:07:30Z"))
        let fake = MetricsFakeCloudWatch(metrics: metrics, listPageSize: 7)
        try await Self.withCollector(fake, settings: settings, clock: clock) { collector in
            let batches = try await collector.collect(from: [:])
            #expect(fake.requests(of: "ListMetrics") == 4, "25 metrics in pages of 7")
            #expect(fake.queriesPerRequest == [10])
            let series = try Self.decode(batches).series
            #expect(series.map(\.id) == (0..<10).map { "AWS/EC2|CPUUtilization|InstanceId=i-0\($0)|Average|60" })
            #expect(series.allSatisfy { $0.period == 60 })
            try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")
        }
    }

    @Test func largePayloadsAreSplitIntoValidBatches() async throws {
        var settings = MetricsSettings()
        settings.metrics = (0..<60).map {
            MetricsSettings.Metric(
                namespace: "AWS/EC2", name: "NetworkIn", dimensions: ["InstanceId": "i-\($0)"], statistic: "Sum")
        }
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:07:30Z"))
        let fake = MetricsFakeCloudWatch { _, start, end in
            stride(from: start.timeIntervalSince1970, to: end.timeIntervalSince1970, by: 300).map {
                (Date(timeIntervalSince1970: $0), 1_024.5)
            }
        }
        try await Self.withCollector(fake, settings: settings, clock: clock, maxPayloadBytes: 8_192) { collector in
            let batches = try await collector.collect(from: [:])
            #expect(batches.count > 1)
            #expect(batches.allSatisfy { $0.data.count <= 8_192 })
            #expect(batches.allSatisfy { $0.cursor == ["lastPoll": "2026-11-27T10:07:30.000Z", "read:300": "1795773900"] })
            let series = try batches.flatMap { try Self.decode($0).series }
            #expect(
                series.map(\.id)
                    == settings.metrics.map { "AWS/EC2|NetworkIn|InstanceId=\($0.dimensions["InstanceId"] ?? "")|Sum|300" })
            #expect(series.allSatisfy { $0.points.count == 12 && $0.latest?.partial == true && $0.unit == "Bytes" })
            try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")
        }
    }

    @Test func windowEndsAtThePeriodBoundaryAfterNow() throws {
        let now = try CollectorFixtures.date("2026-11-27T10:07:30Z")
        let window = MetricsWindow(period: 300, windowPeriods: 12, now: now)
        #expect(window.end == (try CollectorFixtures.date("2026-11-27T10:10:00Z")))
        #expect(window.start == (try CollectorFixtures.date("2026-11-27T09:10:00Z")))
        let mixed = try #require(MetricsWindow(periods: [60, 300], windowPeriods: 2, now: now))
        #expect(mixed.start == (try CollectorFixtures.date("2026-11-27T10:00:00Z")))
        #expect(mixed.end == (try CollectorFixtures.date("2026-11-27T10:10:00Z")))
    }

    @Test func pointsAreAlignedDedupedAndTrimmedToTheWindow() throws {
        let now = try CollectorFixtures.date("2026-11-27T10:07:30Z")
        let points = MetricsWindow.points(
            timestamps: [
                try CollectorFixtures.date("2026-11-27T10:06:10Z"),
                try CollectorFixtures.date("2026-11-27T09:00:00Z"),
                try CollectorFixtures.date("2026-11-27T10:00:00Z"),
                try CollectorFixtures.date("2026-11-27T10:05:00Z"),
            ],
            values: [1, 2, 3, .nan], period: 300, windowPeriods: 3, now: now)
        #expect(
            points == [
                MetricPoint(t: "2026-11-27T10:00:00.000Z", v: 3, partial: false),
                MetricPoint(t: "2026-11-27T10:05:00.000Z", v: 1, partial: true),
            ])
    }

    @Test func discoveryStateRefreshesAfterItsInterval() throws {
        let start = try CollectorFixtures.date("2026-11-27T10:00:00Z")
        var state = MetricsDiscoveryState()
        #expect(state.needsRefresh(now: start, interval: 900))
        let firstLogged = state.refreshed(with: [], droppedCount: 0, at: start)
        #expect(!firstLogged)
        #expect(!state.needsRefresh(now: start.addingTimeInterval(899), interval: 900))
        #expect(state.needsRefresh(now: start.addingTimeInterval(900), interval: 900))
        #expect(state.needsRefresh(now: start.addingTimeInterval(-1), interval: 900), "a clock that went back")
        let newCount = state.refreshed(with: [], droppedCount: 5, at: start)
        #expect(newCount, "a new dropped count is logged")
        let sameCount = state.refreshed(with: [], droppedCount: 5, at: start)
        #expect(!sameCount, "the same one is not logged again")
    }

    /// Each series is read once per period, when its datapoint settles, and a GetMetricData call
    /// asks only for the series that are due (CloudWatch bills per metric requested).
    @Test func aReadAsksOnlyForTheSeriesWhosePeriodHasSettled() async throws {
        var settings = MetricsSettings()
        settings.settleDelay = .seconds(30)
        settings.metrics = [
            MetricsSettings.Metric(namespace: "AWS/EC2", name: "CPUUtilization", dimensions: ["InstanceId": "i-1"], period: 60),
            MetricsSettings.Metric(namespace: "AWS/EC2", name: "NetworkIn", dimensions: ["InstanceId": "i-1"], period: 300),
        ]
        let clock = ManualClock(try CollectorFixtures.date("2026-11-27T10:05:30Z"))
        let fake = MetricsFakeCloudWatch()
        try await Self.withCollector(fake, settings: settings, clock: clock) { collector in
            // 10:05:30: both periods ended at 10:05 and settled: both read.
            var cursor = try #require(try await collector.poll(from: [:]).cursor)
            #expect(fake.queriesPerRequest == [2])
            #expect(cursor["read:60"] == "1795773900" && cursor["read:300"] == "1795773900")
            // The next one-minute datapoint settles at 10:06:30; nothing is due before.
            #expect(collector.nextDue(cursor: cursor, now: clock.date) == (try CollectorFixtures.date("2026-11-27T10:06:30Z")))
            clock.set(try CollectorFixtures.date("2026-11-27T10:06:10Z"))
            #expect(try await collector.poll(from: cursor).batches.isEmpty)
            #expect(fake.requests(of: "GetMetricData") == 1, "nothing due, no call")
            // 10:06:30: only the one-minute series is read.
            clock.set(try CollectorFixtures.date("2026-11-27T10:06:30Z"))
            let minute = try await collector.poll(from: cursor)
            #expect(fake.queriesPerRequest == [2, 1])
            #expect(try Self.decode(minute.batches).series.map(\.period) == [60])
            cursor = try #require(minute.cursor)
            // 10:10:30: both again (the five-minute period ended at 10:10).
            clock.set(try CollectorFixtures.date("2026-11-27T10:10:30Z"))
            _ = try await collector.poll(from: cursor)
            #expect(fake.queriesPerRequest == [2, 1, 2])
        }
    }
}
