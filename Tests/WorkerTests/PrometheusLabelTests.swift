import Testing
import TextFormats

@testable import Worker

@Suite struct PrometheusLabelTests {
    @Test func labelValuesAreEscaped() {
        #expect(PrometheusLabel.escape("ThrottlingException") == "ThrottlingException")
        #expect(PrometheusLabel.escape(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusLabel.pair("code", #"x"} 1"#) == #"code="x\"} 1""#)
    }

    /// An error key whose code would close the label set and start a new line is counted under the
    /// code reduced to `[A-Za-z0-9._]`, and the text has no forged line.
    @Test func aForgedCodeIsReducedAndCannotForgeASeries() {
        let statistics = WorkerStatistics()
        statistics.pollFailed(.metrics, errorKey: "aws-metrics|GetMetricData|Evil\"} 1\nforged_series{x=\"y")
        statistics.pollFailed(.metrics, errorKey: "aws-metrics|GetMetricData|Evil\"} 1\nforged_series{x=\"y")
        let text = WorkerMetricsText.render(statistics.snapshot, configuration: WorkerConfiguration(), now: 0)
        #expect(
            text.contains(
                #"aws_realtime_worker_aws_errors_total{stream="aws-metrics",operation="GetMetricData",code="Evil___1_forged_series_x__y"} 2"#
            ))
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("forged_series") })
    }

    /// Each stream and operation keeps at most 64 codes; errors of any further code count as `other`.
    @Test func distinctCodesAreBounded() {
        let statistics = WorkerStatistics()
        for index in 0..<100 {
            statistics.pollFailed(.activity, errorKey: "aws-activity|LookupEvents|Code\(index)")
        }
        statistics.pollFailed(.activity, errorKey: "aws-activity|LookupEvents|Code3")
        statistics.pollFailed(.activity, errorKey: "aws-activity|LookupEvents|Code99")
        statistics.pollFailed(.logs, errorKey: "aws-logs|FilterLogEvents|ThrottlingException")
        statistics.pollFailed(.logs, errorKey: "aws-logs|RedisError")
        let errors = statistics.snapshot.awsErrors
        let activity = errors.filter { $0.key.hasPrefix("aws-activity|LookupEvents|") }
        #expect(activity.count == 64 + 1)
        #expect(activity["aws-activity|LookupEvents|Code3"] == 2)
        #expect(activity["aws-activity|LookupEvents|Code63"] == 1)
        #expect(activity["aws-activity|LookupEvents|Code64"] == nil)
        #expect(activity["aws-activity|LookupEvents|other"] == 37)
        #expect(activity.values.reduce(0, +) == 102)
        // Another stream and operation, and errors without an operation, have their own bound.
        #expect(errors["aws-logs|FilterLogEvents|ThrottlingException"] == 1)
        #expect(errors["aws-logs|RedisError"] == 1)
    }

    /// The skipped items of AWS answers, by operation.
    @Test func skippedItemsAreRenderedByOperation() {
        let statistics = WorkerStatistics()
        statistics.used(
            ["LookupEvents": .init(calls: 2, requests: 3, skippedItems: 4), "GetMetricData": .init(calls: 1)], by: .activity,
            at: 0)
        let text = WorkerMetricsText.render(statistics.snapshot, configuration: WorkerConfiguration(), now: 0)
        #expect(text.contains("# TYPE aws_realtime_worker_aws_items_skipped_total counter\n"))
        #expect(text.contains(#"aws_realtime_worker_aws_items_skipped_total{operation="LookupEvents"} 4"#))
        #expect(text.contains(#"aws_realtime_worker_aws_items_skipped_total{operation="GetMetricData"} 0"#))
    }
}
