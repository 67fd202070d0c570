/// The statistic a discovered metric is polled with, and its unit when CloudWatch documents one:
/// counts are summed, gauges averaged, queue depths and free space read at their extreme.
/// Anything not in the table is averaged, unit unknown.
struct MetricCustomaryStatistic: Sendable, Hashable {
    var statistic: String
    var unit: String?

    static let average = MetricCustomaryStatistic(statistic: "Average", unit: nil)

    static func lookup(namespace: String, metric: String) -> MetricCustomaryStatistic {
        if let exact = byNamespaceAndName["\(namespace) \(metric)"] { return exact }
        if let exact = byName[metric] { return exact }
        if metric.hasPrefix("HTTPCode_") { return MetricCustomaryStatistic(statistic: "Sum", unit: "Count") }
        if namespace == "AWS/SQS", metric.hasPrefix("NumberOfMessages") {
            return MetricCustomaryStatistic(statistic: "Sum", unit: "Count")
        }
        if namespace == "AWS/DynamoDB", metric.hasPrefix("Consumed"), metric.hasSuffix("CapacityUnits") {
            return MetricCustomaryStatistic(statistic: "Sum", unit: "Count")
        }
        return .average
    }

    private static func sum(_ unit: String? = "Count") -> Self { Self(statistic: "Sum", unit: unit) }
    private static func average(_ unit: String?) -> Self { Self(statistic: "Average", unit: unit) }

    /// Metrics whose meaning depends on the namespace.
    private static let byNamespaceAndName: [String: MetricCustomaryStatistic] = [
        "AWS/Lambda Invocations": sum(),
        "AWS/Lambda Errors": sum(),
        "AWS/Lambda Throttles": sum(),
        "AWS/Lambda Duration": average("Milliseconds"),
        "AWS/Lambda ConcurrentExecutions": Self(statistic: "Maximum", unit: "Count"),
        "AWS/ApiGateway Count": sum(),
        "AWS/ApiGateway 4XXError": sum(),
        "AWS/ApiGateway 5XXError": sum(),
        "AWS/ApiGateway Latency": average("Milliseconds"),
        "AWS/ELB Latency": average("Seconds"),
        "AWS/SQS ApproximateNumberOfMessagesVisible": Self(statistic: "Maximum", unit: "Count"),
        "AWS/SQS ApproximateAgeOfOldestMessage": Self(statistic: "Maximum", unit: "Seconds"),
        "AWS/DynamoDB ThrottledRequests": sum(),
        "AWS/DynamoDB UserErrors": sum(),
        "AWS/DynamoDB SystemErrors": sum(),
        "AWS/RDS FreeStorageSpace": Self(statistic: "Minimum", unit: "Bytes"),
        "AWS/RDS FreeableMemory": Self(statistic: "Minimum", unit: "Bytes"),
        "AWS/RDS DatabaseConnections": average("Count"),
        "AWS/ElastiCache Evictions": sum(),
        "AWS/ElastiCache CurrConnections": average("Count"),
    ]

    /// Metrics that mean the same in every namespace.
    private static let byName: [String: MetricCustomaryStatistic] = [
        "CPUUtilization": average("Percent"),
        "MemoryUtilization": average("Percent"),
        "RequestCount": sum(),
        "TargetResponseTime": average("Seconds"),
        "NetworkIn": sum("Bytes"),
        "NetworkOut": sum("Bytes"),
        "DiskReadOps": sum(),
        "DiskWriteOps": sum(),
        "StatusCheckFailed": Self(statistic: "Maximum", unit: "Count"),
        "HealthyHostCount": average("Count"),
        "UnHealthyHostCount": average("Count"),
    ]
}
