import AWSCore

extension ListMetricsPage {
    /// Reads the `ListMetricsResult` as `QueryProtocol` converts it (lists are `member` arrays;
    /// an empty list is an empty string).
    init(document: JSONValue) throws(AWSError) {
        func list(_ value: JSONValue?) -> [JSONValue] {
            value?.arrayValue ?? []
        }
        var metrics: [CloudWatchMetric] = []
        for item in list(document["Metrics"]) {
            guard let namespace = item["Namespace"]?.stringValue, let name = item["MetricName"]?.stringValue else {
                throw AWSError(
                    kind: .malformedResponse, service: "cloudwatch", operation: "ListMetrics",
                    message: "a metric without Namespace or MetricName")
            }
            let dimensions = list(item["Dimensions"]).compactMap { dimension -> CloudWatchDimension? in
                guard let name = dimension["Name"]?.stringValue else { return nil }
                return CloudWatchDimension(name: name, value: dimension["Value"]?.stringValue ?? "")
            }
            metrics.append(CloudWatchMetric(namespace: namespace, metricName: name, dimensions: dimensions))
        }
        let token = document["NextToken"]?.stringValue
        self.init(
            metrics: metrics, owningAccounts: list(document["OwningAccounts"]).compactMap(\.stringValue),
            nextToken: token?.isEmpty == false ? token : nil)
    }
}
