import AWSServices
import Payloads
import Testing

@testable import Worker

@Suite struct WorkerOperationsTests {
    @Test func metricsTextNamesStreamsOperationsAndCodes() {
        let statistics = WorkerStatistics()
        statistics.setLeader(true)
        statistics.leaseAcquired(epoch: 4, at: 100)
        statistics.polled(.logs, at: 200, cost: CollectionCost(calls: 3, dollars: 0.0))
        statistics.pollFailed(.activity, errorKey: "aws-activity|LookupEvents|ThrottlingException")
        statistics.buffer(.logs, size: 2, dropped: 1)
        let text = WorkerMetricsText.render(statistics.snapshot, configuration: WorkerConfiguration(dailySpendBudget: 3))
        #expect(text.contains("aws_realtime_worker_leader 1\n"))
        #expect(text.contains("aws_realtime_worker_epoch 4\n"))
        #expect(text.contains(#"aws_realtime_worker_polls_total{stream="aws-logs"} 1"#))
        #expect(text.contains(#"aws_realtime_worker_aws_calls_total{stream="aws-logs"} 3"#))
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
            WorkerStatistics().snapshot, configuration: WorkerConfiguration(), budgets: budgets.reports)
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

    @Test func readiness() {
        var configuration = WorkerConfiguration()
        configuration.streams = [.logs: .init(interval: .seconds(10))]
        for stream in StreamName.allCases where stream != .logs {
            configuration.streams[stream] = .init(isEnabled: false, interval: .seconds(60))
        }
        var snapshot = WorkerStatistics.Snapshot()
        // A standby only needs the broker.
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBrokerReachable: true, leaderSince: nil, now: 1000)
                .isReady)
        #expect(
            !WorkerReadiness.evaluate(
                snapshot, configuration: configuration, isBrokerReachable: false, leaderSince: nil, now: 1000
            ).isReady)
        snapshot.isLeader = true
        // A new leader gets three intervals to poll.
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBrokerReachable: true, leaderSince: 990, now: 1000)
                .isReady)
        let late = WorkerReadiness.evaluate(
            snapshot, configuration: configuration, isBrokerReachable: true, leaderSince: 900, now: 1000)
        #expect(!late.isReady && late.reasons.first?.contains("aws-logs") == true)
        snapshot.lastSuccess[.logs] = 985
        #expect(
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBrokerReachable: true, leaderSince: 900, now: 1000)
                .isReady)
    }
}
