/// An AWS API with its own rate budget: every request of it, pages included, takes a token from
/// that budget first. The raw value is the name the configuration file and `/metrics` use.
///
/// The defaults are AWS's documented per-account, per-Region request quotas (looked up
/// 2026-11-27):
/// - `LookupEvents`: 2 per second, not adjustable. CloudTrail quotas,
///   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
///   ("LookupEvents API: 2 transactions per second (TPS) ... This quota cannot be increased"), and
///   the LookupEvents API reference ("limited to two per second, per account, per Region").
/// - `GetFindings`: 3 per second (burst 6). Security Hub API reference, introduction
///   ("GetFindings - RateLimit of 3 requests per second. BurstLimit of 6 requests per second").
/// - `FilterLogEvents`: 5 per second, a hard limit. CloudWatch Logs quotas,
///   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html, and
///   https://repost.aws/knowledge-center/cloudwatch-logs-throttling ("FilterLogEvents ... default
///   quota of 5 transactions per second (TPS) per account/Region ... don't qualify for a limit
///   increase").
/// - `GetMetricData`: 50 per second (adjustable). CloudWatch service quotas,
///   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html, and
///   https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api ("50 transactions per second").
/// - `ListMetrics`: 25 per second (adjustable), the CloudWatch service quotas page above.
/// - `CostExplorer` (GetCostAndUsage and GetCostForecast together): AWS documents no request rate
///   for Cost Explorer, and bills each request $0.01; 1 per second keeps a paginated month well
///   clear of throttling, and the daily spend budget is what bounds the cost.
/// - `DescribeEvents` (AWS Health): no documented rate either; 1 per second, far above what a
///   poll every 5 minutes needs.
public enum AWSRateBudgetAPI: String, CaseIterable, Sendable, Hashable {
    case lookupEvents = "LookupEvents"
    case getFindings = "GetFindings"
    case filterLogEvents = "FilterLogEvents"
    case getMetricData = "GetMetricData"
    case listMetrics = "ListMetrics"
    case costExplorer = "CostExplorer"
    case describeEvents = "DescribeEvents"

    /// The default budget: AWS's documented quota (see the type's documentation).
    public var defaultCallsPerSecond: Double {
        switch self {
        case .lookupEvents: 2
        case .getFindings: 3
        case .filterLogEvents: 5
        case .getMetricData: 50
        case .listMetrics: 25
        case .costExplorer, .describeEvents: 1
        }
    }

    /// The most a budget may be set to: the quota itself where AWS cannot raise it, otherwise a
    /// bound that still catches a typo.
    public var maximumCallsPerSecond: Double {
        switch self {
        case .lookupEvents: 2
        case .filterLogEvents: 5
        default: 1_000
        }
    }
}
