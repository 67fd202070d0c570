import AWSCore
import Logging

/// CloudTrail `LookupEvents` (JSON 1.1), paginated to the end. CloudTrail allows 2 LookupEvents
/// requests per second per account and region: every request, pages included, first awaits
/// ``rateLimiter``. Share one limiter between all clients of one account and region.
public struct CloudTrailClient: Sendable, AWSPaginatedClient {
    static var service: AWSService { .cloudTrail }

    public let client: AWSClient
    public let rateLimiter: AWSRateLimiter
    public let usage: AWSUsageCounter
    public var pagination: AWSPaginationLimits
    let logger: Logger

    public init(
        client: AWSClient, rateLimiter: AWSRateLimiter = .cloudTrailLookupEvents(clock: ContinuousClock()),
        usage: AWSUsageCounter = AWSUsageCounter(), pagination: AWSPaginationLimits = .default, logger: Logger
    ) {
        self.client = client
        self.rateLimiter = rateLimiter
        self.usage = usage
        self.pagination = pagination
        self.logger = logger
    }

    /// Every event matching `input`, following `NextToken` to the end.
    public func lookupEvents(_ input: LookupEventsInput) async throws -> LookupEventsOutput {
        let (events, pages) = try await readItems(of: "LookupEvents") { try await lookupEventsPage(input, nextToken: $0) }
        return LookupEventsOutput(events: events, pages: pages)
    }

    /// One page of `LookupEvents` (waits for the rate limiter first).
    public func lookupEventsPage(_ input: LookupEventsInput, nextToken: String? = nil) async throws -> LookupEventsPage {
        let operation = AWSOperation.cloudTrailLookupEvents.name
        let request = try AWSClient.operationRequest(.cloudTrailLookupEvents, input: input.jsonInput(nextToken: nextToken))
        do {
            try await rateLimiter.acquire()
        } catch let error as AWSError {
            throw AWSError(
                kind: error.kind, service: "cloudtrail", operation: operation, message: error.message, underlying: error)
        }
        let response = try await usage.measure(operation) { try await client.send(request) }
        let page = try AWSJSONDecoding.decode(
            LookupEventsPage.self, from: response.body, service: .cloudTrail, operation: operation)
        AWSSkippedItem.report(page.skipped, of: .cloudTrailLookupEvents, response: response, usage: usage, logger: logger)
        return page
    }
}
