/// Which elements of a query-protocol service's responses are lists: what the AWS SDKs read from
/// the service model to print an empty list (`<Metrics/>`, which XML cannot tell from an empty
/// string) as `[]`.
///
/// A name-based table per service, taken from botocore 1.43.11's `service-2.json`: every
/// member name that is a list in some output shape of the service. It is sound for CloudWatch
/// and STS because no member name there is a list in one output shape and a string or structure
/// in another (checked over every output shape, nested ones included), and neither service
/// uses flattened lists or non-`member` list wrappers in its outputs. STS outputs have no lists.
/// A list added to a service later prints as `""` when empty until it is added here.
public enum QueryListMembers {
    /// The list member names of `service`'s responses; empty for services that are not query protocol.
    public static func of(_ service: AWSService) -> Set<String> {
        service == .cloudWatch ? cloudWatch : []
    }

    static let cloudWatch: Set<String> = [
        "AdditionalStatistics", "AlarmActions", "AlarmContributors", "AlarmHistoryItems", "AlarmMuteRuleSummaries", "AlarmNames",
        "AnomalyDetectors", "CompositeAlarms", "Contributors", "DashboardEntries", "DashboardValidationMessages", "Datapoints",
        "Dimensions", "Entries", "ExcludeFilters", "ExcludedTimeRanges", "Failures", "IncludeFilters", "IncludeMetrics",
        "InsightRules", "InsufficientDataActions", "KeyLabels", "Keys", "ManagedRules", "Messages", "MetricAlarms",
        "MetricDataQueries", "MetricDataResults", "MetricDatapoints", "MetricNames", "Metrics", "OKActions", "OwningAccounts",
        "StatisticsConfigurations", "Tags", "Timestamps", "Values",
    ]
}
