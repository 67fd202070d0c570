import AWSCore
import Logging

/// AWS Health `DescribeEvents`, and with the organizational view `DescribeEventsForOrganization`
/// and `DescribeAffectedAccountsForOrganization` (JSON 1.1, global endpoint), paginated to the
/// end. Every request takes a token of the `DescribeEvents` rate budget.
public struct HealthClient: AWSServiceCoreClient, AWSPaginatedClient {
    static var service: AWSService { .health }

    public var core: AWSServiceCore

    public init(core: AWSServiceCore) {
        self.core = core
    }

    /// Every event matching `input`, following `nextToken` to the end.
    public func describeEvents(_ input: DescribeEventsInput = DescribeEventsInput()) async throws -> DescribeEventsOutput {
        let (events, pages) = try await readItems(of: "DescribeEvents") { try await describeEventsPage(input, nextToken: $0) }
        return DescribeEventsOutput(events: events, pages: pages)
    }

    /// One page of `DescribeEvents`.
    public func describeEventsPage(_ input: DescribeEventsInput, nextToken: String? = nil) async throws -> DescribeEventsPage {
        try await client.decodedCall(
            .healthDescribeEvents, input: input.jsonInput(nextToken: nextToken), as: DescribeEventsPage.self, usage: usage,
            budget: .describeEvents, of: budgets, logger: logger)
    }

    /// Every organization event matching `input`, following `nextToken` to the end.
    public func describeEventsForOrganization(_ input: DescribeEventsForOrganizationInput) async throws
        -> DescribeEventsOutput
    {
        let (events, pages) = try await readItems(of: "DescribeEventsForOrganization") { token in
            try await client.decodedCall(
                .healthDescribeEventsForOrganization, input: input.jsonInput(nextToken: token), as: DescribeEventsPage.self,
                usage: usage, budget: .describeEvents, of: budgets, logger: logger)
        }
        return DescribeEventsOutput(events: events, pages: pages)
    }

    /// The accounts the event `arn` affects, every page (empty for a `PUBLIC` event).
    public func affectedAccounts(ofEvent arn: String) async throws -> [String] {
        var accounts: [String] = []
        _ = try await readCall(of: "DescribeAffectedAccountsForOrganization") { token in
            var members: JSONValueObject = [
                "eventArn": .string(arn), "maxResults": .integer(Int64(AffectedAccountsPage.maxResults)),
            ]
            if let token { members["nextToken"] = .string(token) }
            return try await client.decodedCall(
                .healthDescribeAffectedAccountsForOrganization, input: .object(members), as: AffectedAccountsPage.self,
                usage: usage, budget: .describeEvents, of: budgets, logger: logger)
        } read: { page in
            accounts += page.affectedAccounts
        }
        return accounts
    }
}
