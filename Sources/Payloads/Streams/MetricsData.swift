/// `aws-metrics` data: a window of recent points for each series.
///
/// Points are aligned to the period boundary. The newest, still-filling period is marked
/// `partial`; when a later poll sees a settled value for a period published as partial, the
/// series is published again with the corrected point (`partial: false`). A consumer keeps, per
/// series and timestamp, the value of the newest envelope.
public struct MetricsData: Codable, Sendable, Equatable {
    public var series: [MetricSeries]

    public init(series: [MetricSeries]) {
        self.series = series
    }
}

public struct MetricSeries: Codable, Sendable, Equatable {
    /// Stable id of the series (namespace, metric, dimensions, statistic, period).
    public var id: String
    public var namespace: String
    public var metric: String
    public var dimensions: [String: String]
    public var statistic: String
    public var unit: String?
    /// Seconds.
    public var period: Int
    /// Oldest first.
    public var points: [MetricPoint]
    /// The newest point, partial or not; nil when the window holds none.
    public var latest: MetricPoint?

    public init(
        id: String, namespace: String, metric: String, dimensions: [String: String], statistic: String, unit: String?,
        period: Int, points: [MetricPoint]
    ) {
        self.id = id
        self.namespace = namespace
        self.metric = metric
        self.dimensions = dimensions
        self.statistic = statistic
        self.unit = unit
        self.period = period
        self.points = points
        self.latest = points.last
    }
}

public struct MetricPoint: Codable, Sendable, Equatable {
    /// The start of the period (ISO-8601).
    public var t: String
    public var v: Double
    /// The period is still filling: the value may change.
    public var partial: Bool

    public init(t: String, v: Double, partial: Bool = false) {
        self.t = t
        self.v = v
        self.partial = partial
    }
}
