import AWSCore

/// A metric dimension: a name/value pair that is part of a metric's identity.
public struct CloudWatchDimension: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A metric: namespace, name and dimensions.
public struct CloudWatchMetric: Sendable, Hashable {
    public var namespace: String
    public var metricName: String
    public var dimensions: [CloudWatchDimension]

    public init(namespace: String, metricName: String, dimensions: [CloudWatchDimension] = []) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
    }
}

extension CloudWatchMetric {
    /// The query-protocol members of a `Metric` structure.
    var queryInput: JSONValueObject {
        var members: JSONValueObject = ["Namespace": .string(namespace), "MetricName": .string(metricName)]
        if !dimensions.isEmpty {
            members["Dimensions"] = .array(dimensions.map { .object(["Name": .string($0.name), "Value": .string($0.value)]) })
        }
        return members
    }
}
