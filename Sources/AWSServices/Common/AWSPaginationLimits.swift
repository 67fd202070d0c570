import AWSCore
import Logging

/// How far one paginated call may go. Every client follows `NextToken` to the end, but never
/// further than `maxPages` requests: past that the call fails with ``AWSError/Kind/limitExceeded``
/// instead of looping on a token that never ends.
public struct AWSPaginationLimits: Sendable, Hashable {
    /// The most requests (pages) one paginated call makes. At least 1.
    public var maxPages: Int

    public init(maxPages: Int = 1_000) {
        self.maxPages = max(1, maxPages)
    }

    public static let `default` = AWSPaginationLimits()
}

/// Follows pagination tokens for one call: asks `fetch` for a page with the previous page's token
/// until a page carries none, bounded by `limits.maxPages`.
struct AWSPageLoop {
    var service: AWSService
    var operation: String
    var limits: AWSPaginationLimits
    var logger: Logger

    /// Runs the loop; `fetch` gets the token to send (`nil` first) and returns the next page's
    /// token. Returns the number of pages read.
    @discardableResult
    func run(
        startingAt firstToken: String? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ fetch: (String?) async throws -> String?
    ) async throws -> Int {
        var token = firstToken
        var pages = 0
        while true {
            try Task.checkCancellation()
            guard pages < limits.maxPages else {
                logger.info(
                    "Pagination stopped at the page limit",
                    metadata: ["aws.operation": "\(operation)", "aws.pages": "\(pages)"])
                throw AWSError(
                    kind: .limitExceeded, service: service.cliName, operation: operation,
                    message: "still more pages after \(pages) requests (the limit is \(limits.maxPages) pages per call); "
                        + "narrow the request (time range, filters) or raise the page limit")
            }
            let next = try await fetch(token)
            pages += 1
            guard let next, !next.isEmpty else { return pages }
            if next == token {
                // A service that hands back the token it was given has nothing more to say.
                logger.debug("The next token repeats the last one; pagination ends", metadata: ["aws.operation": "\(operation)"])
                return pages
            }
            token = next
        }
    }
}
