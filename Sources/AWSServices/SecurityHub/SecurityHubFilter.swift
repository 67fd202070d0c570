import AWSCore
import Foundation

/// One condition of a Security Hub `AwsSecurityFindingFilters` field: a string comparison, a
/// date range or a number range. Conditions of one field are combined by Security Hub.
public struct SecurityHubFilter: Sendable, Hashable {
    let json: JSONValue

    /// A string field compared with `comparison` (`EQUALS`, `PREFIX`, `NOT_EQUALS`, ...).
    public static func string(_ value: String, comparison: StringComparison = .equals) -> SecurityHubFilter {
        SecurityHubFilter(json: .object(["Value": .string(value), "Comparison": .string(comparison.rawValue)]))
    }

    /// A date field between `start` and `end` (either may be open), sent as ISO-8601 strings.
    public static func date(from start: Date?, to end: Date? = nil) -> SecurityHubFilter {
        var members: JSONValueObject = [:]
        if let start { members["Start"] = .string(AWSTimestamp.iso8601WithMilliseconds(start)) }
        if let end { members["End"] = .string(AWSTimestamp.iso8601WithMilliseconds(end)) }
        return SecurityHubFilter(json: .object(members))
    }

    /// A date field within the last `days` days.
    public static func date(inLastDays days: Int) -> SecurityHubFilter {
        SecurityHubFilter(json: .object(["DateRange": .object(["Value": .integer(Int64(days)), "Unit": .string("DAYS")])]))
    }

    /// A number field: greater than or equal to `atLeast`, less than or equal to `atMost`.
    public static func number(atLeast: Double? = nil, atMost: Double? = nil) -> SecurityHubFilter {
        var members: JSONValueObject = [:]
        if let atLeast { members["Gte"] = .double(atLeast) }
        if let atMost { members["Lte"] = .double(atMost) }
        return SecurityHubFilter(json: .object(members))
    }

    public struct StringComparison: Sendable, Hashable {
        let rawValue: String

        public static let equals = StringComparison(rawValue: "EQUALS")
        public static let notEquals = StringComparison(rawValue: "NOT_EQUALS")
        public static let prefix = StringComparison(rawValue: "PREFIX")
        public static let prefixNotEquals = StringComparison(rawValue: "PREFIX_NOT_EQUALS")
        public static let contains = StringComparison(rawValue: "CONTAINS")
        public static let notContains = StringComparison(rawValue: "NOT_CONTAINS")
    }
}

/// A Security Hub `GetFindings` query.
public struct GetFindingsInput: Sendable, Hashable {
    /// Field name (`RecordState`, `WorkflowStatus`, `SeverityLabel`, `UpdatedAt`, ...) to conditions.
    public var filters: [String: [SecurityHubFilter]]
    public var sortCriteria: [SortCriterion]
    /// Findings per page, 1 to 100.
    public var maxResults: Int

    public static let maxResultsLimit = 100

    public init(filters: [String: [SecurityHubFilter]] = [:], sortCriteria: [SortCriterion] = [], maxResults: Int = 100) {
        self.filters = filters
        self.sortCriteria = sortCriteria
        self.maxResults = min(max(1, maxResults), Self.maxResultsLimit)
    }

    /// Active findings updated since `since` (and until `until`), oldest update first: the
    /// incremental query of the `aws-security` stream.
    public static func activeFindings(updatedSince since: Date, until: Date? = nil, maxResults: Int = 100) -> GetFindingsInput {
        GetFindingsInput(
            filters: ["RecordState": [.string("ACTIVE")], "UpdatedAt": [.date(from: since, to: until)]],
            sortCriteria: [SortCriterion(field: "UpdatedAt", order: .ascending)], maxResults: maxResults)
    }

    public struct SortCriterion: Sendable, Hashable {
        public var field: String
        public var order: Order

        public init(field: String, order: Order) {
            self.field = field
            self.order = order
        }

        public struct Order: Sendable, Hashable {
            let rawValue: String

            public static let ascending = Order(rawValue: "asc")
            public static let descending = Order(rawValue: "desc")
        }
    }

    func jsonInput(nextToken: String?) -> JSONValue {
        var members: JSONValueObject = ["MaxResults": .integer(Int64(maxResults))]
        if !filters.isEmpty {
            members["Filters"] = .object(filters.mapValues { .array($0.map(\.json)) })
        }
        if !sortCriteria.isEmpty {
            members["SortCriteria"] = .array(
                sortCriteria.map { .object(["Field": .string($0.field), "SortOrder": .string($0.order.rawValue)]) })
        }
        if let nextToken { members["NextToken"] = .string(nextToken) }
        return .object(members)
    }
}
