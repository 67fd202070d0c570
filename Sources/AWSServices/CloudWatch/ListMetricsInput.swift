import AWSCore

/// Which metrics `ListMetrics` returns: every filter is optional.
public struct ListMetricsInput: Sendable, Hashable {
    public var namespace: String?
    public var metricName: String?
    /// Dimensions the metrics must have; a filter without a value matches any value.
    public var dimensions: [DimensionFilter]
    /// Only metrics with data points in the recent past (CloudWatch offers the past three hours).
    public var recentlyActive: RecentlyActive?
    public var includeLinkedAccounts: Bool
    public var owningAccount: String?

    public init(
        namespace: String? = nil, metricName: String? = nil, dimensions: [DimensionFilter] = [],
        recentlyActive: RecentlyActive? = nil, includeLinkedAccounts: Bool = false, owningAccount: String? = nil
    ) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
        self.recentlyActive = recentlyActive
        self.includeLinkedAccounts = includeLinkedAccounts
        self.owningAccount = owningAccount
    }

    public struct DimensionFilter: Sendable, Hashable {
        public var name: String
        public var value: String?
    }

    /// The `RecentlyActive` window; `PT3H` is the only one CloudWatch has.
    public struct RecentlyActive: Sendable, Hashable {
        let rawValue: String

        /// Metrics with data points in the past three hours (`PT3H`).
        public static let pastThreeHours = RecentlyActive(rawValue: "PT3H")
    }

    func queryInput(nextToken: String?) -> JSONValue {
        var members: JSONValueObject = [:]
        if let namespace { members["Namespace"] = .string(namespace) }
        if let metricName { members["MetricName"] = .string(metricName) }
        if !dimensions.isEmpty {
            members["Dimensions"] = .array(
                dimensions.map { filter in
                    var dimension: JSONValueObject = ["Name": .string(filter.name)]
                    if let value = filter.value { dimension["Value"] = .string(value) }
                    return .object(dimension)
                })
        }
        if let recentlyActive { members["RecentlyActive"] = .string(recentlyActive.rawValue) }
        if includeLinkedAccounts { members["IncludeLinkedAccounts"] = .bool(true) }
        if let owningAccount { members["OwningAccount"] = .string(owningAccount) }
        if let nextToken { members["NextToken"] = .string(nextToken) }
        return .object(members)
    }
}

/// The metrics of every page of a `ListMetrics` call.
public struct ListMetricsOutput: Sendable, Hashable {
    public var metrics: [CloudWatchMetric]
    /// With `includeLinkedAccounts`: the account owning each metric, in the same order.
    public var owningAccounts: [String]
    /// Requests made (pages read).
    public var pages: Int
}

/// One page of `ListMetrics`.
public struct ListMetricsPage: Sendable, Hashable, AWSPage {
    public var metrics: [CloudWatchMetric]
    public var owningAccounts: [String]
    public var nextToken: String?
}
