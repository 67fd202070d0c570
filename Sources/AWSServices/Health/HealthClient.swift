import AWSCore
import Logging

/// AWS Health `DescribeEvents` (JSON 1.1, global endpoint), paginated to the end.
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
}
