import AWSCore
import Foundation

/// How Cost Explorer splits a time period.
public struct CostExplorerGranularity: Sendable, Hashable {
    let rawValue: String

    public static let daily = CostExplorerGranularity(rawValue: "DAILY")
    public static let monthly = CostExplorerGranularity(rawValue: "MONTHLY")
}

/// A Cost Explorer `GetCostAndUsage` query.
public struct GetCostAndUsageInput: Sendable, Hashable {
    public var timePeriod: CostExplorerDateInterval
    public var granularity: CostExplorerGranularity
    /// `UnblendedCost`, `BlendedCost`, `AmortizedCost`, `NetUnblendedCost`, `UsageQuantity`, ...
    public var metrics: [String]
    /// At most two groupings.
    public var groupBy: [GroupDefinition]
    /// A Cost Explorer `Expression`, passed through as JSON.
    public var filter: JSONValue?

    public init(
        timePeriod: CostExplorerDateInterval, granularity: CostExplorerGranularity = .daily,
        metrics: [String] = ["UnblendedCost"],
        groupBy: [GroupDefinition] = [], filter: JSONValue? = nil
    ) {
        self.timePeriod = timePeriod
        self.granularity = granularity
        self.metrics = metrics
        self.groupBy = groupBy
        self.filter = filter
    }

    /// A grouping: by a dimension (`SERVICE`, `LINKED_ACCOUNT`, `REGION`, ...), a tag key or a
    /// cost category.
    public struct GroupDefinition: Sendable, Hashable, Decodable {
        public var type: String
        public var key: String

        public static func dimension(_ key: String) -> Self { Self(type: "DIMENSION", key: key) }
        public static func tag(_ key: String) -> Self { Self(type: "TAG", key: key) }
        public static let service = dimension("SERVICE")

        private enum CodingKeys: String, CodingKey {
            case type = "Type"
            case key = "Key"
        }
    }

    func jsonInput(nextPageToken: String?) -> JSONValue {
        var members: JSONValueObject = [
            "TimePeriod": timePeriod.jsonInput, "Granularity": .string(granularity.rawValue),
            "Metrics": .array(metrics.map(JSONValue.string)),
        ]
        if !groupBy.isEmpty {
            members["GroupBy"] = .array(groupBy.map { .object(["Type": .string($0.type), "Key": .string($0.key)]) })
        }
        if let filter { members["Filter"] = filter }
        if let nextPageToken { members["NextPageToken"] = .string(nextPageToken) }
        return .object(members)
    }
}

/// An amount as Cost Explorer sends it: a decimal string, kept exact, and its unit.
public struct CostExplorerMetricValue: Sendable, Hashable, Decodable {
    /// The exact decimal text (`"39.1603300457"`).
    public var amount: String
    /// `USD`, `N/A` (usage quantities), ...
    public var unit: String

    public init(amount: String, unit: String) {
        self.amount = amount
        self.unit = unit
    }

    /// The amount as a `Decimal` (no binary rounding).
    public var decimalAmount: Decimal? {
        Decimal(string: amount, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// The amount as a `Double`, for display and sums where cents are enough.
    public var doubleAmount: Double? {
        Double(amount)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        amount = try container.text("Amount") ?? "0"
        unit = try container.optional("Unit") ?? ""
    }
}

/// Costs of one time period: totals when ungrouped, else per group.
public struct CostAndUsageResult: Sendable, Hashable, Decodable {
    public var timePeriod: CostExplorerDateInterval
    /// Metric name to value; empty when the query is grouped.
    public var total: [String: CostExplorerMetricValue]
    public var groups: [Group]
    /// Whether the period is not yet final.
    public var isEstimated: Bool

    public struct Group: Sendable, Hashable, Decodable {
        /// One key per grouping (tag keys come back as `Key$value`).
        public var keys: [String]
        public var metrics: [String: CostExplorerMetricValue]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            keys = try container.list("Keys")
            metrics = try container.optional("Metrics") ?? [:]
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        timePeriod = try container.decode(CostExplorerDateInterval.self, forKey: AWSCodingKey("TimePeriod"))
        total = try container.optional("Total") ?? [:]
        groups = try container.list("Groups")
        isEstimated = try container.optional("Estimated") ?? false
    }
}

/// One page of `GetCostAndUsage`.
public struct GetCostAndUsagePage: Sendable, Hashable, Decodable {
    public var resultsByTime: [CostAndUsageResult]
    public var groupDefinitions: [GetCostAndUsageInput.GroupDefinition]
    public var nextPageToken: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        resultsByTime = try container.list("ResultsByTime")
        groupDefinitions = try container.list("GroupDefinitions")
        nextPageToken = try container.optional("NextPageToken")
    }
}

/// Every period of a `GetCostAndUsage` call. A period split across pages (its groups continued
/// on the next page) is merged into one.
public struct GetCostAndUsageOutput: Sendable, Hashable {
    public var resultsByTime: [CostAndUsageResult]
    public var groupDefinitions: [GetCostAndUsageInput.GroupDefinition]
    /// Requests made: each is billed ($0.01).
    public var pages: Int
}

extension GetCostAndUsagePage: AWSPage {
    public var nextToken: String? { nextPageToken }
}
