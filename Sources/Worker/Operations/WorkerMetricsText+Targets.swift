import Payloads
import TextFormats

extension WorkerMetricsText {
    /// The per-target series of a worker with configured targets, labelled by `stream`, `account`
    /// and `region` (`global` for the streams polled once per account). Their names differ from
    /// the per-stream series', which sum every target, so that no `sum()` counts anything twice.
    /// The cardinality is the file's: streams x configured (account, Region) targets.
    static func renderTargets(
        _ targets: [WorkerStatistics.TargetKey: WorkerStatistics.TargetSnapshot], into text: inout PrometheusText
    ) {
        guard !targets.isEmpty else { return }
        let keys = targets.keys.sorted()
        func labels(_ key: WorkerStatistics.TargetKey) -> String {
            [
                PrometheusLabel.pair("stream", key.stream.rawValue), PrometheusLabel.pair("account", key.account),
                PrometheusLabel.pair("region", key.region),
            ].joined(separator: ",")
        }
        func series(_ value: (WorkerStatistics.TargetSnapshot) -> String?) -> [PrometheusText.Sample] {
            keys.compactMap { key in targets[key].flatMap(value).map { (labels: labels(key), value: $0) } }
        }
        text.append(
            "aws_realtime_worker_target_stream_state", .gauge,
            help: "1 for each stream's current state in each configured account and Region (live, degraded, unavailable).",
            keys.flatMap { key -> [PrometheusText.Sample] in
                guard let current = targets[key]?.state?.state else { return [] }
                return ["live", "degraded", "unavailable"].map { state in
                    (labels: labels(key) + "," + PrometheusLabel.pair("state", state), value: state == current ? "1" : "0")
                }
            })
        text.append(
            "aws_realtime_worker_target_polls_total", .counter, help: "Successful polls per stream, account and Region.",
            series { "\($0.polls)" })
        text.append(
            "aws_realtime_worker_target_poll_errors_total", .counter, help: "Failed polls per stream, account and Region.",
            series { "\($0.pollErrors)" })
        text.append(
            "aws_realtime_worker_target_published_total", .counter, help: "Envelopes published per stream, account and Region.",
            series { "\($0.published)" })
        text.append(
            "aws_realtime_worker_target_aws_calls_total", .counter, help: "AWS requests per stream, account and Region.",
            series { "\($0.awsCalls)" })
        text.append(
            "aws_realtime_worker_target_aws_cost_dollars_total", .counter,
            help: "What the AWS requests of each stream, account and Region cost, by AWS's billing rules.",
            series { "\($0.awsDollars)" })
        text.append(
            "aws_realtime_worker_target_last_success_seconds", .gauge,
            help: "When each stream last polled successfully in each account and Region (Unix time).",
            series { $0.lastSuccess.map { "\($0)" } })
    }
}
