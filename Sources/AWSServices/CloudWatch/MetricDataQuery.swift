import AWSCore

/// One query of a `GetMetricData` call: a metric with a statistic, or a math or Metrics Insights
/// expression. `id` names the series in the results: it must be unique across a call, start
/// with a lower-case letter and hold only letters, digits and `_`.
public struct MetricDataQuery: Sendable, Hashable {
    public var id: String
    public var metricStat: MetricStat?
    public var expression: String?
    public var label: String?
    /// `false` for queries that only feed an expression.
    public var returnData: Bool?
    /// The period of an expression's results (a metric's period is in `metricStat`).
    public var period: Int?
    public var accountId: String?

    /// A metric's statistic over `period` seconds.
    public static func metric(
        id: String, _ metric: CloudWatchMetric, period: Int, stat: String, unit: String? = nil, label: String? = nil
    ) -> MetricDataQuery {
        MetricDataQuery(id: id, metricStat: MetricStat(metric: metric, period: period, stat: stat, unit: unit), label: label)
    }

    public struct MetricStat: Sendable, Hashable {
        public var metric: CloudWatchMetric
        /// Seconds: 1, 5, 10, 30 or a multiple of 60.
        public var period: Int
        /// `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount`, `p99`, ...
        public var stat: String
        public var unit: String?
    }

    var queryInput: JSONValue {
        var members: JSONValueObject = ["Id": .string(id)]
        if let metricStat {
            var stat: JSONValueObject = [
                "Metric": .object(metricStat.metric.queryInput), "Period": .integer(Int64(metricStat.period)),
                "Stat": .string(metricStat.stat),
            ]
            if let unit = metricStat.unit { stat["Unit"] = .string(unit) }
            members["MetricStat"] = .object(stat)
        }
        if let expression { members["Expression"] = .string(expression) }
        if let label { members["Label"] = .string(label) }
        if let returnData { members["ReturnData"] = .bool(returnData) }
        if let period { members["Period"] = .integer(Int64(period)) }
        if let accountId { members["AccountId"] = .string(accountId) }
        return .object(members)
    }
}
