import AWSCore
import Logging

/// Security Hub `GetFindings` (REST-JSON, `POST /findings`), paginated to the end.
public struct SecurityHubClient: AWSServiceCoreClient, AWSPaginatedClient {
    static var service: AWSService { .securityHub }

    public var core: AWSServiceCore

    public init(core: AWSServiceCore) {
        self.core = core
    }

    /// Every finding matching `input`, following `NextToken` to the end.
    public func getFindings(_ input: GetFindingsInput) async throws -> GetFindingsOutput {
        let (findings, pages) = try await readItems(of: "GetFindings") { try await getFindingsPage(input, nextToken: $0) }
        return GetFindingsOutput(findings: findings, pages: pages)
    }

    /// One page of `GetFindings`.
    public func getFindingsPage(_ input: GetFindingsInput, nextToken: String? = nil) async throws -> GetFindingsPage {
        try await client.decodedCall(
            .securityHubGetFindings, input: input.jsonInput(nextToken: nextToken), as: GetFindingsPage.self, dates: .iso8601,
            usage: usage, budget: .getFindings, of: budgets, logger: logger)
    }
}
