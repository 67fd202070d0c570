/// What AWS bills for the requests this worker makes, by its published prices (us-east-1, the
/// same in most Regions): CloudWatch `GetMetricData` $0.01 per 1,000 metrics requested and
/// `ListMetrics` $0.01 per 1,000 requests (beyond the free tier's 1,000,000 API requests a month,
/// which GetMetricData does not count against); Cost Explorer $0.01 per request
/// (`GetCostAndUsage`, `GetCostForecast`, each page a request). CloudWatch Logs `FilterLogEvents`,
/// CloudTrail `LookupEvents`, Security Hub `GetFindings` and AWS Health `DescribeEvents` are not
/// billed per request. Only requests AWS answered with success are counted as billed.
public enum AWSBilling {
    public static let getMetricDataPerMetricUSD = 0.01 / 1_000
    public static let listMetricsPerRequestUSD = 0.01 / 1_000
    public static let costExplorerPerRequestUSD = 0.01

    /// The operations AWS bills per request or per metric.
    public static let billedOperations: Set<String> = ["GetMetricData", "ListMetrics", "GetCostAndUsage", "GetCostForecast"]

    public static func dollars(operation: String, billedRequests: Int, billedMetrics: Int) -> Double {
        switch operation {
        case "GetMetricData": Double(billedMetrics) * getMetricDataPerMetricUSD
        case "ListMetrics": Double(billedRequests) * listMetricsPerRequestUSD
        case "GetCostAndUsage", "GetCostForecast": Double(billedRequests) * costExplorerPerRequestUSD
        default: 0
        }
    }
}
