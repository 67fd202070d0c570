import AWSCore
import Logging

/// CloudWatch Logs `FilterLogEvents` (JSON 1.1), paginated to the end.
public struct CloudWatchLogsClient: AWSServiceCoreClient, AWSPaginatedClient {
    static var service: AWSService { .cloudWatchLogs }

    public var core: AWSServiceCore

    public init(core: AWSServiceCore) {
        self.core = core
    }

    /// Every event matching `input`, following `nextToken` to the end (pages may be empty while
    /// the search goes on: only a missing token ends it).
    public func filterLogEvents(_ input: FilterLogEventsInput) async throws -> FilterLogEventsOutput {
        let (events, pages) = try await readItems(of: "FilterLogEvents") { try await filterLogEventsPage(input, nextToken: $0) }
        return FilterLogEventsOutput(events: events, pages: pages)
    }

    /// One page of `FilterLogEvents`.
    public func filterLogEventsPage(_ input: FilterLogEventsInput, nextToken: String? = nil) async throws -> FilterLogEventsPage {
        try await client.decodedCall(
            .cloudWatchLogsFilterLogEvents, input: input.jsonInput(nextToken: nextToken), as: FilterLogEventsPage.self,
            usage: usage, budget: .filterLogEvents, of: budgets, logger: logger)
    }
}
