/// What each collector polls: the stream-specific part of the configuration file.
/// Every field has a default that serves a first run.
public struct StreamSettings: Sendable, Equatable {
    public var metrics = MetricsSettings()
    public var logs = LogsSettings()
    public var activity = ActivitySettings()
    public var costs = CostsSettings()
    public var security = SecuritySettings()
    public var health = HealthSettings()

    public init() {}
}

public struct MetricsSettings: Sendable, Equatable {
    /// One metric to poll.
    public struct Metric: Sendable, Equatable {
        public var namespace: String
        public var name: String
        public var dimensions: [String: String]
        public var statistic: String
        /// Seconds: 60 for detailed monitoring, 300 for basic.
        public var period: Int

        public init(
            namespace: String, name: String, dimensions: [String: String] = [:], statistic: String = "Average", period: Int = 300
        ) {
            self.namespace = namespace
            self.name = name
            self.dimensions = dimensions
            self.statistic = statistic
            self.period = period
        }
    }

    /// The namespaces discovery lists when no metric is configured.
    public static let commonNamespaces = [
        "AWS/EC2", "AWS/Lambda", "AWS/RDS", "AWS/ApplicationELB", "AWS/ELB", "AWS/DynamoDB", "AWS/SQS", "AWS/ECS",
        "AWS/ElastiCache", "AWS/ApiGateway",
    ]

    /// Metrics named in the configuration; when empty, metrics are discovered.
    public var metrics: [Metric] = []
    /// Namespaces to discover recently active metrics in (`ListMetrics RecentlyActive=PT3H`).
    public var discoveryNamespaces: [String] = MetricsSettings.commonNamespaces
    /// At most this many discovered series are polled.
    public var maxSeries = 500
    /// How often discovery runs again.
    public var discoveryInterval: Duration = .seconds(900)
    /// The period of discovered metrics (300 s: basic monitoring).
    public var discoveryPeriod = 300
    /// How many periods of recent points each read asks for.
    public var windowPeriods = 12
    /// CloudWatch cross-account observability: from a monitoring account, discovery also lists the
    /// linked (source) accounts' metrics (`ListMetrics IncludeLinkedAccounts=true`), each series is
    /// read from its owning account (`AccountId` on its `GetMetricData` query), and each account's
    /// series are published in envelopes of their own, stamped with that account.
    public var includeLinkedAccounts = false
    /// How long after a period closes its datapoint is read: CloudWatch makes a period's
    /// datapoint available within minutes of its end (AWS services publish basic monitoring
    /// every 5 minutes, detailed every minute). Each series is read once per period, this long
    /// after the period ends.
    public var settleDelay: Duration = .seconds(150)

    public init() {}
}

public struct LogsSettings: Sendable, Equatable {
    /// Log groups to follow; with none the stream stays idle (it never scans every group).
    public var logGroups: [String] = []
    public var filterPattern: String?
    /// On the first poll ever, how far back to start.
    public var initialLookback: Duration = .seconds(300)
    /// Events per poll at most (across pages).
    public var maxEventsPerPoll = 10_000
    /// How far back each poll reads again for events ingested late (`overlap`, `seenLimit`).
    public var window = IncrementalWindow.logs

    public init() {}
}

public struct ActivitySettings: Sendable, Equatable {
    /// On the first poll ever, how far back to start.
    public var initialLookback: Duration = .seconds(3600)
    public var maxEventsPerPoll = 5000
    /// How far back each poll reads again for events CloudTrail delivers late.
    public var window = IncrementalWindow.activity

    public init() {}
}

public struct CostsSettings: Sendable, Equatable {
    /// `SERVICE` (default), `LINKED_ACCOUNT`, `REGION`, `USAGE_TYPE`, or `TAG:<key>`.
    public var groupBy = "SERVICE"
    /// `UnblendedCost` (default), `AmortizedCost`, `BlendedCost`, `NetUnblendedCost`.
    public var metric = "UnblendedCost"
    public var includeForecast = true
    /// Billed Cost Explorer requests per UTC day at most (usage and forecast together, $0.01 each).
    public var maxRequestsPerDay = 4
    /// From an organization's management account: one payload per linked account, published
    /// under that account's id (`GetCostAndUsage` grouped by `LINKED_ACCOUNT` and ``groupBy``),
    /// without a forecast (Cost Explorer forecasts one filter per request, $0.01 each).
    public var perLinkedAccount = false

    public init() {}
}

public struct SecuritySettings: Sendable, Equatable {
    /// `ACTIVE` findings only by default.
    public var recordStates: [String] = ["ACTIVE"]
    /// Only these severity labels (all when empty).
    public var severityLabels: [String] = []
    /// Only these workflow statuses (all when empty).
    public var workflowStatuses: [String] = []
    /// On the first poll ever, how far back to start.
    public var initialLookback: Duration = .seconds(86_400)
    public var maxFindingsPerPoll = 1000
    /// How far back each poll reads again for findings imported with an earlier `UpdatedAt`.
    public var window = IncrementalWindow.security

    public init() {}
}

public struct HealthSettings: Sendable, Equatable {
    /// On the first poll ever, how far back to start.
    public var initialLookback: Duration = .seconds(7 * 86_400)
    public var maxEventsPerPoll = 1000
    /// How far back each poll reads again for events updated with an earlier `lastUpdatedTime`.
    public var window = IncrementalWindow.health
    /// From the management account or Health's delegated administrator, with Health's
    /// organizational view enabled: every account's events (`DescribeEventsForOrganization`), each
    /// account-specific one published under every account it affects
    /// (`DescribeAffectedAccountsForOrganization`), public ones under the polling account.
    public var organizationView = false

    public init() {}
}
