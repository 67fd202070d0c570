import AWSServices
import Payloads
import Testing

@testable import Worker

@Suite struct WorkerOperationsTests {
    @Test func metricsTextNamesStreamsOperationsAndCodes() {
        let statistics = WorkerStatistics()
        statistics.setLeader(true)
        statistics.leaseAcquired(epoch: 4, at: 100)
        statistics.polled(.logs, at: 200)
        statistics.used(["FilterLogEvents": AWSOperationUsage(requests: 3, outcomes: [.success: 3])], by: .logs, at: 200)
        statistics.pollFailed(.activity, errorKey: "aws-activity|LookupEvents|ThrottlingException")
        statistics.buffer(.logs, size: 2, dropped: 1)
        let text = WorkerMetricsText.render(
            statistics.snapshot, configuration: WorkerConfiguration(dailySpendBudget: 3), now: 300)
        #expect(text.contains("aws_realtime_worker_leader 1\n"))
        #expect(text.contains("aws_realtime_worker_epoch 4\n"))
        #expect(text.contains(#"aws_realtime_worker_polls_total{stream="aws-logs"} 1"#))
        #expect(text.contains(#"aws_realtime_worker_aws_calls_total{stream="aws-logs"} 3"#))
        #expect(text.contains(#"aws_realtime_worker_aws_requests_total{api="FilterLogEvents",outcome="success"} 3"#))
        #expect(
            text.contains(
                #"aws_realtime_worker_aws_errors_total{stream="aws-activity",operation="LookupEvents",code="ThrottlingException"} 1"#
            ))
        #expect(text.contains(#"aws_realtime_worker_buffered_batches{stream="aws-logs"} 2"#))
        #expect(text.contains("aws_realtime_worker_daily_spend_budget_dollars 3.0"))
        // Every sample line belongs to a declared metric.
        let declared = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(declared.contains(line.split(whereSeparator: { $0 == "{" || $0 == " " })[0]))
        }
    }

    /// One series per AWS API: its budget, the requests it let through, the time they waited.
    @Test func metricsTextShowsTheRateBudgets() async throws {
        let budgets = AWSRateBudgets(callsPerSecond: [.getFindings: 0.5])
        try await budgets.limiter(for: .lookupEvents)?.acquire()
        let text = WorkerMetricsText.render(
            WorkerStatistics().snapshot, configuration: WorkerConfiguration(), budgets: budgets.reports, now: 0)
        #expect(text.contains("# TYPE aws_realtime_worker_aws_rate_budget_calls_per_second gauge\n"))
        #expect(text.contains(#"aws_realtime_worker_aws_rate_budget_calls_per_second{api="LookupEvents"} 2.0"#))
        #expect(text.contains(#"aws_realtime_worker_aws_rate_budget_calls_per_second{api="GetFindings"} 0.5"#))
        #expect(text.contains(#"aws_realtime_worker_aws_rate_budget_calls_per_second{api="FilterLogEvents"} 5.0"#))
        #expect(text.contains(#"aws_realtime_worker_aws_rate_budget_calls_total{api="LookupEvents"} 1"#))
        #expect(text.contains(#"aws_realtime_worker_aws_rate_budget_calls_total{api="GetMetricData"} 0"#))
        #expect(text.contains(#"aws_realtime_worker_aws_rate_budget_wait_seconds_total{api="LookupEvents"} 0.0"#))
        for api in AWSRateBudgetAPI.allCases {
            #expect(text.contains("aws_realtime_worker_aws_rate_budget_wait_seconds_total{api=\"\(api.rawValue)\"}"))
        }
    }

    /// Every billed request counts by API and outcome; the dollars follow AWS's billing formula,
    /// and the trailing day's spend adds what the last 24 hours cost.
    @Test func spendByAPIAndOutcomeAndTheTrailingDay() {
        let statistics = WorkerStatistics()
        let hour = 3_600.0
        statistics.used(
            [
                "GetMetricData": AWSOperationUsage(
                    requests: 3, metricsRequested: 1_500, outcomes: [.success: 2, .throttled: 1], billedRequests: 2,
                    billedMetrics: 1_000),
                "ListMetrics": AWSOperationUsage(requests: 10, outcomes: [.success: 10], billedRequests: 10),
            ], by: .metrics, at: 100 * hour)
        statistics.used(
            ["GetCostAndUsage": AWSOperationUsage(requests: 1, outcomes: [.success: 1], billedRequests: 1)], by: .costs,
            at: 110 * hour)
        let snapshot = statistics.snapshot
        let text = WorkerMetricsText.render(snapshot, configuration: WorkerConfiguration(), now: 110 * hour)
        #expect(text.contains(#"aws_realtime_worker_aws_requests_total{api="GetMetricData",outcome="success"} 2"#))
        #expect(text.contains(#"aws_realtime_worker_aws_requests_total{api="GetMetricData",outcome="throttled"} 1"#))
        #expect(text.contains(#"aws_realtime_worker_aws_billed_metrics_total{api="GetMetricData"} 1000"#))
        #expect(text.contains(#"aws_realtime_worker_aws_billed_requests_total{api="GetCostAndUsage"} 1"#))
        #expect(abs(snapshot.awsDollars[.metrics, default: 0] - (0.01 + 0.0001)) < 1e-12)
        #expect(abs(snapshot.dollarsInLastDay(now: 110 * hour) - 0.0201) < 1e-12)
        // A day later only the Cost Explorer request (at hour 110) is within the last 24 hours.
        #expect(abs(snapshot.dollarsInLastDay(now: 125 * hour) - 0.01) < 1e-12)
        #expect(snapshot.dollarsInLastDay(now: 140 * hour) == 0)
    }

    @Test func readiness() {
        var configuration = WorkerConfiguration()
        configuration.streams = [.logs: .init(interval: .seconds(10), keepWarmInterval: .seconds(60))]
        for stream in StreamName.allCases where stream != .logs {
            configuration.streams[stream] = .init(isEnabled: false, interval: .seconds(60), keepWarmInterval: nil)
        }
        var snapshot = WorkerStatistics.Snapshot()
        // A standby only needs the bus.
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: nil, now: 1000)
                .isReady)
        #expect(
            !WorkerReadiness.evaluate(
                snapshot, configuration: configuration, isBusReachable: false, leaderSince: nil, now: 1000
            ).isReady)
        snapshot.isLeader = true
        // A stream whose schedule expects nothing (billed and unwatched) never fails readiness.
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 0, now: 1000)
                .isReady)
        snapshot.expectedGap[.logs] = 10
        // A new leader gets three of the gaps its schedule expects to poll.
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 990, now: 1000)
                .isReady)
        let late = WorkerReadiness.evaluate(
            snapshot, configuration: configuration, isBusReachable: true, leaderSince: 900, now: 1000)
        #expect(!late.isReady && late.reasons.first?.contains("aws-logs") == true)
        snapshot.lastSuccess[.logs] = 985
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 900, now: 1000)
                .isReady)
        // Nobody watches: the keep-warm gap is what is expected.
        snapshot.expectedGap[.logs] = 60
        snapshot.lastSuccess[.logs] = 900
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 0, now: 1000)
                .isReady)
        // An unavailable stream (AWS refuses the API to the account) does not fail readiness.
        snapshot.lastSuccess[.logs] = nil
        #expect(
            !WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 0, now: 1000)
                .isReady)
        snapshot.states[.logs] = StreamStateData(
            state: "unavailable", since: "1970-01-01T00:00:00.000Z", operation: "FilterLogEvents",
            code: "AccessDeniedException")
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 0, now: 1000)
                .isReady)
    }
}
