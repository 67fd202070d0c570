import AWSCore
import Logging

/// Security Hub `GetFindings` (REST-JSON, `POST /findings`), paginated to the end.
public struct SecurityHubClient: Sendable {
    public let client: AWSClient
    public let usage: AWSUsageCounter
    /// Every request first takes a token of the `GetFindings` budget.
    public let budgets: AWSRateBudgets
    public var pagination: AWSPaginationLimits
    let logger: Logger

    public init(
        client: AWSClient, usage: AWSUsageCounter = AWSUsageCounter(), budgets: AWSRateBudgets = .unlimited,
        pagination: AWSPaginationLimits = .default, logger: Logger
    ) {
        self.client = client
        self.usage = usage
        self.budgets = budgets
        self.pagination = pagination
        self.logger = logger
    }

    /// Every finding matching `input`, following `NextToken` to the end.
    public func getFindings(_ input: GetFindingsInput) async throws -> GetFindingsOutput {
        usage.recordCall("GetFindings")
        var findings: [SecurityHubFinding] = []
        let loop = AWSPageLoop(service: .securityHub, operation: "GetFindings", limits: pagination, logger: logger)
        let pages = try await loop.run { token in
            let page = try await getFindingsPage(input, nextToken: token)
            findings += page.findings
            return page.nextToken
        }
        return GetFindingsOutput(findings: findings, pages: pages)
    }

    /// One page of `GetFindings`.
    public func getFindingsPage(_ input: GetFindingsInput, nextToken: String? = nil) async throws -> GetFindingsPage {
        try await client.decodedCall(
            .securityHubGetFindings, input: input.jsonInput(nextToken: nextToken), as: GetFindingsPage.self, dates: .iso8601,
            usage: usage, budget: .getFindings, of: budgets, logger: logger)
    }
}
