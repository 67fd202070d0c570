import AWSCore
import Foundation

/// An AWS Health `DescribeEventsForOrganization` query: the events of every account of the
/// organization, in the same summary form as `DescribeEvents` (without the affected accounts).
/// Callable from the management account or Health's delegated administrator once Health's
/// organizational view is enabled. Its filter takes one `lastUpdatedTime` range where
/// `DescribeEvents` takes a list.
public struct DescribeEventsForOrganizationInput: Sendable, Hashable {
    /// Events updated at or after this time.
    public var lastUpdatedFrom: Date?
    /// Events per page, 10 to 100.
    public var maxResults: Int

    public init(lastUpdatedFrom: Date? = nil, maxResults: Int = 100) {
        self.lastUpdatedFrom = lastUpdatedFrom
        let range = DescribeEventsInput.maxResultsRange
        self.maxResults = min(max(range.lowerBound, maxResults), range.upperBound)
    }

    func jsonInput(nextToken: String?) -> JSONValue {
        var members: JSONValueObject = ["maxResults": .integer(Int64(maxResults))]
        if let lastUpdatedFrom {
            members["filter"] = .object(["lastUpdatedTime": .object(["from": .epochSeconds(lastUpdatedFrom)])])
        }
        if let nextToken { members["nextToken"] = .string(nextToken) }
        return .object(members)
    }
}

/// One page of `DescribeAffectedAccountsForOrganization`: the accounts an event affects (empty
/// for a `PUBLIC` event).
public struct AffectedAccountsPage: Sendable, Hashable, Decodable, AWSPage {
    /// The most accounts a page holds (the API's maximum `maxResults`).
    public static let maxResults = 50

    public var affectedAccounts: [String]
    /// `PUBLIC`, `ACCOUNT_SPECIFIC` or `NONE`.
    public var eventScopeCode: String?
    public var nextToken: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        affectedAccounts = try container.list("affectedAccounts")
        eventScopeCode = try container.optional("eventScopeCode")
        nextToken = try container.optional("nextToken")
    }
}
