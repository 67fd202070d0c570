import AWSServices

/// One series the metrics collector polls: a metric, a statistic and a period.
struct MetricSeriesDefinition: Sendable, Hashable {
    var namespace: String
    var metric: String
    var dimensions: [String: String]
    var statistic: String
    /// Seconds.
    var period: Int
    var unit: String?
    /// The linked account that owns the metric, when read from a monitoring account
    /// (`includeLinkedAccounts`); nil: the caller's own account. Not part of ``id``: each
    /// account's series go in envelopes of their own.
    var account: String? = nil

    /// `namespace|metric|dim=value,...|statistic|period`, dimensions sorted by name: the same
    /// series gets the same id on every poll, from discovery or configuration alike.
    var id: String {
        let dimensionText = dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "\(namespace)|\(metric)|\(dimensionText)|\(statistic)|\(period)"
    }

    /// The CloudWatch metric, dimensions in name order (deterministic requests).
    var cloudWatchMetric: CloudWatchMetric {
        CloudWatchMetric(
            namespace: namespace, metricName: metric,
            dimensions: dimensions.sorted { $0.key < $1.key }.map { CloudWatchDimension(name: $0.key, value: $0.value) })
    }

    init(namespace: String, metric: String, dimensions: [String: String], statistic: String, period: Int, unit: String?) {
        self.namespace = namespace
        self.metric = metric
        self.dimensions = dimensions
        self.statistic = statistic
        self.period = period
        self.unit = unit
    }

    /// A configured metric (its unit from the customary table when known).
    init(configured metric: MetricsSettings.Metric) {
        self.init(
            namespace: metric.namespace, metric: metric.name, dimensions: metric.dimensions, statistic: metric.statistic,
            period: metric.period, unit: MetricCustomaryStatistic.lookup(namespace: metric.namespace, metric: metric.name).unit)
    }

    /// A discovered metric with its customary statistic (and its owning account, when listed
    /// with `IncludeLinkedAccounts`).
    init(discovered metric: CloudWatchMetric, period: Int, account: String? = nil) {
        let customary = MetricCustomaryStatistic.lookup(namespace: metric.namespace, metric: metric.metricName)
        var dimensions: [String: String] = [:]
        for dimension in metric.dimensions { dimensions[dimension.name] = dimension.value }
        self.init(
            namespace: metric.namespace, metric: metric.metricName, dimensions: dimensions, statistic: customary.statistic,
            period: period, unit: customary.unit)
        self.account = account
    }
}
