import AWSServices
import Payloads
import TextFormats

/// The worker's statistics in the Prometheus text exposition format, for `/metrics`.
public enum WorkerMetricsText {
    /// The rate budgets' reports: the one default target's (series labelled by `api`), or each
    /// configured (account, Region)'s (labelled by `api`, `account` and `region`).
    public struct Budgets: Sendable {
        public var reports: [AWSRateBudgets.Report]
        public var perTarget: [(target: WorkerTarget, reports: [AWSRateBudgets.Report])]

        public static func single(_ reports: [AWSRateBudgets.Report]) -> Budgets { Budgets(reports: reports, perTarget: []) }

        public static func perTarget(_ reports: [(target: WorkerTarget, reports: [AWSRateBudgets.Report])]) -> Budgets {
            Budgets(reports: [], perTarget: reports)
        }
    }

    public static func render(
        _ snapshot: WorkerStatistics.Snapshot, configuration: WorkerConfiguration, budgets: Budgets, now: Double
    ) -> String {
        render(snapshot, configuration: configuration, budgets: budgets.reports, targetBudgets: budgets.perTarget, now: now)
    }

    /// - Parameters:
    ///   - budgets: the AWS rate budgets' reports (``AWSRateBudgets/reports``), one series per API.
    ///   - targetBudgets: each configured target's reports, one series per (API, account, Region).
    ///   - now: Unix time, for the trailing day's spend.
    public static func render(
        _ snapshot: WorkerStatistics.Snapshot, configuration: WorkerConfiguration, budgets: [AWSRateBudgets.Report] = [],
        targetBudgets: [(target: WorkerTarget, reports: [AWSRateBudgets.Report])] = [], now: Double
    ) -> String {
        var text = PrometheusText()
        func metric(_ name: String, _ type: PrometheusText.MetricType, _ help: String, _ samples: [PrometheusText.Sample]) {
            text.append(name, type, help: help, samples)
        }
        func perStream<Value>(_ values: [StreamName: Value]) -> [(labels: String, value: String)] {
            StreamName.allCases.compactMap { stream in values[stream].map { (labels: "stream=\"\(stream)\"", value: "\($0)") } }
        }
        metric(
            "aws_realtime_worker_leader", .gauge, "1 while this worker holds a valid lease.",
            [("", snapshot.isLeader ? "1" : "0")])
        metric(
            "aws_realtime_worker_epoch", .gauge, "The fencing epoch of this worker's last leadership.",
            [("", "\(snapshot.epoch)")])
        metric(
            "aws_realtime_worker_lease_acquisitions_total", .counter, "Leaderships taken.",
            [("", "\(snapshot.leaseAcquisitions)")])
        metric("aws_realtime_worker_lease_losses_total", .counter, "Leases lost while held.", [("", "\(snapshot.leaseLosses)")])
        metric("aws_realtime_worker_polls_total", .counter, "Polls that reached AWS and succeeded.", perStream(snapshot.polls))
        metric(
            "aws_realtime_worker_polls_skipped_total", .counter, "Polls skipped because nobody listened.",
            perStream(snapshot.pollsSkippedWithoutListeners))
        metric("aws_realtime_worker_poll_errors_total", .counter, "Polls that failed.", perStream(snapshot.pollErrors))
        metric(
            "aws_realtime_worker_aws_errors_total", .counter, "AWS errors by stream, operation and code.",
            snapshot.awsErrors.sorted { $0.key < $1.key }.map { key, count in
                let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                let labels = [
                    PrometheusLabel.pair("stream", parts.first ?? ""),
                    PrometheusLabel.pair("operation", parts.count > 2 ? parts[1] : ""),
                    PrometheusLabel.pair("code", parts.last ?? ""),
                ].joined(separator: ",")
                return (labels: labels, value: "\(count)")
            })
        metric(
            "aws_realtime_worker_aws_items_skipped_total", .counter,
            "Items of AWS answers (events, findings) left out because they did not decode, by operation.",
            snapshot.awsUsage.sorted { $0.key < $1.key }.map {
                (labels: PrometheusLabel.pair("operation", $0.key), value: "\($0.value.skippedItems)")
            })
        metric(
            "aws_realtime_worker_aws_calls_total", .counter,
            "AWS requests each stream sent, whatever they found or how they ended.",
            perStream(snapshot.awsCalls))
        metric(
            "aws_realtime_worker_aws_cost_dollars_total", .counter,
            "What each stream's AWS requests cost, by AWS's billing rules.",
            perStream(snapshot.awsDollars))
        let operations = snapshot.awsUsage.keys.sorted()
        metric(
            "aws_realtime_worker_aws_requests_total", .counter, "AWS requests by API and outcome (after the client's retries).",
            operations.flatMap { operation in
                AWSRequestOutcome.allCases.compactMap { outcome in
                    snapshot.awsUsage[operation]?.outcomes[outcome].map {
                        (labels: "api=\"\(operation)\",outcome=\"\(outcome)\"", value: "\($0)")
                    }
                }
            })
        let billed = operations.filter { AWSBilling.billedOperations.contains($0) }
        metric(
            "aws_realtime_worker_aws_billed_requests_total", .counter, "Requests AWS bills (answered with success), by API.",
            billed.map { (labels: "api=\"\($0)\"", value: "\(snapshot.awsUsage[$0]?.billedRequests ?? 0)") })
        metric(
            "aws_realtime_worker_aws_billed_metrics_total", .counter, "Metrics requested by billed GetMetricData requests.",
            billed.filter { $0 == "GetMetricData" }.map {
                (labels: "api=\"\($0)\"", value: "\(snapshot.awsUsage[$0]?.billedMetrics ?? 0)")
            })
        metric(
            "aws_realtime_worker_aws_billed_dollars_total", .counter,
            "What AWS bills for the requests, by API: GetMetricData $0.01 per 1,000 metrics, ListMetrics $0.01 per 1,000 requests, Cost Explorer $0.01 per request.",
            billed.map { (labels: "api=\"\($0)\"", value: "\(snapshot.awsUsage[$0]?.dollars(of: $0) ?? 0)") })
        metric(
            "aws_realtime_worker_aws_spend_dollars_per_day", .gauge, "What the requests of the last 24 hours cost.",
            [("", "\(snapshot.dollarsInLastDay(now: now))")])
        metric(
            "aws_realtime_worker_aws_projected_spend_dollars_per_day", .gauge,
            "What the billed streams would cost a day at their current periods, before any spend budget stretch.",
            [("", "\(snapshot.projectedDailySpend)")])
        metric(
            "aws_realtime_worker_spend_budget_stretch", .gauge,
            "The factor the daily spend budget stretches the billed streams' periods by (1: not stretched).",
            [("", "\(snapshot.spendStretch)")])
        metric(
            "aws_realtime_worker_stream_state", .gauge,
            "1 for each stream's current state (live, degraded, unavailable); a stream never polled has none.",
            StreamName.allCases.flatMap { stream -> [(labels: String, value: String)] in
                guard let current = snapshot.states[stream]?.state else { return [] }
                return ["live", "degraded", "unavailable"].map { state in
                    (labels: "stream=\"\(stream)\",state=\"\(state)\"", value: state == current ? "1" : "0")
                }
            })
        metric(
            "aws_realtime_worker_late_events_total", .counter,
            "Events AWS received later than their stream's overlap window (others like them may have been missed).",
            perStream(snapshot.lateEvents))
        metric("aws_realtime_worker_published_total", .counter, "Envelopes published.", perStream(snapshot.published))
        metric(
            "aws_realtime_worker_fenced_total", .counter, "Publishes refused because the lease was lost.",
            perStream(snapshot.fenced))
        metric("aws_realtime_worker_heartbeats_total", .counter, "Heartbeats published.", [("", "\(snapshot.heartbeats)")])
        metric(
            "aws_realtime_worker_buffered_batches", .gauge, "Batches waiting for the bus to return.",
            perStream(snapshot.buffered))
        metric(
            "aws_realtime_worker_buffer_dropped_total", .counter, "Batches dropped from the outage buffer (oldest first).",
            perStream(snapshot.bufferDropped))
        metric(
            "aws_realtime_worker_last_success_seconds", .gauge, "When each stream last polled successfully (Unix time).",
            perStream(snapshot.lastSuccess))
        if !budgets.isEmpty || !targetBudgets.isEmpty {
            let labelled: [(labels: String, report: AWSRateBudgets.Report)] =
                budgets.map { (labels: "api=\"\($0.api.rawValue)\"", report: $0) }
                + targetBudgets.flatMap { target, reports in
                    reports.map {
                        (
                            labels: [
                                PrometheusLabel.pair("api", $0.api.rawValue), PrometheusLabel.pair("account", target.account),
                                PrometheusLabel.pair("region", target.region),
                            ].joined(separator: ","), report: $0
                        )
                    }
                }
            func perAPI(_ value: (AWSRateBudgets.Report) -> String) -> [(labels: String, value: String)] {
                labelled.map { (labels: $0.labels, value: value($0.report)) }
            }
            metric(
                "aws_realtime_worker_aws_rate_budget_calls_per_second", .gauge,
                "The rate budget of each AWS API: requests allowed per second.", perAPI { "\($0.callsPerSecond)" })
            metric(
                "aws_realtime_worker_aws_rate_budget_calls_total", .counter,
                "AWS requests that took a token of their API's rate budget.", perAPI { "\($0.usage.calls)" })
            metric(
                "aws_realtime_worker_aws_rate_budget_wait_seconds_total", .counter,
                "Time AWS requests spent waiting for their API's rate budget.", perAPI { "\($0.usage.waited.seconds)" })
        }
        renderTargets(snapshot.targets, into: &text)
        if let budget = configuration.dailySpendBudget {
            metric(
                "aws_realtime_worker_daily_spend_budget_dollars", .gauge, "The configured daily AWS spend budget.",
                [("", "\(budget)")])
        }
        return text.text
    }
}
