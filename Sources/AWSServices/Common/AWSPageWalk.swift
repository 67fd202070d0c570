import AWSCore
import Logging

/// Where one paginated call stands: the token to send next and the pages read.
///
/// ``next(_:)`` fetches the following page with the previous page's token (`nil` first) until a
/// page carries none. It never loops forever on a hostile or broken endpoint: a page that hands
/// back the token it was asked with ends the walk (the service has nothing more to say), and a
/// walk makes at most `limits.maxPages` requests, then fails or stops as `atLimit` says: tokens
/// that go round in a cycle end there, as a listing that was not read to its end. Each request
/// first checks for cancellation.
public struct AWSPageWalk: Sendable {
    public let service: AWSService
    public let operation: String
    public let limits: AWSPaginationLimits
    public let atLimit: AWSPageLimitPolicy
    let logger: Logger

    /// The number of pages (requests) read so far.
    public private(set) var pages = 0
    private var token: String?
    private var isFinished = false

    public init(
        service: AWSService, operation: String, limits: AWSPaginationLimits = .default, atLimit: AWSPageLimitPolicy = .fail,
        logger: Logger
    ) {
        self.service = service
        self.operation = operation
        self.limits = limits
        self.atLimit = atLimit
        self.logger = logger
    }

    /// Whether the service has pages this walk did not read: it stopped at the page limit, or
    /// its reader stopped asking before the last page.
    public var hasMorePages: Bool { !isFinished }

    /// The next page, fetched by `fetch` with the token to send; `nil` once the listing ended
    /// (or, with ``AWSPageLimitPolicy/stop``, once the page limit is reached).
    ///
    /// - Throws: `CancellationError`; `AWSError` with kind `.limitExceeded` at the page limit
    ///   with ``AWSPageLimitPolicy/fail``; whatever `fetch` throws.
    public mutating func next<Page: AWSPage>(
        isolation: isolated (any Actor)? = #isolation,
        _ fetch: (String?) async throws -> Page
    ) async throws -> Page? {
        guard !isFinished else { return nil }
        try Task.checkCancellation()
        guard pages < limits.maxPages else {
            if atLimit.failsAtLimit {
                logger.info(
                    "Pagination stopped at the page limit",
                    metadata: ["aws.operation": "\(operation)", "aws.pages": "\(pages)"])
                throw AWSError(
                    kind: .limitExceeded, service: service.cliName, operation: operation,
                    message: "still more pages after \(pages) requests (the limit is \(limits.maxPages) pages per call); "
                        + "narrow the request (time range, filters) or raise the page limit")
            }
            logger.info(
                "Page limit reached; the next poll continues from the cursor",
                metadata: ["aws.operation": "\(operation)", "aws.pages": "\(pages)"])
            return nil
        }
        let page = try await fetch(token)
        pages += 1
        advance(past: page.nextToken)
        return page
    }

    /// Takes `next` as the token to send, or ends the walk when there is none or it repeats.
    mutating func advance(past next: String?) {
        guard let next, !next.isEmpty else {
            isFinished = true
            return
        }
        guard next != token else {
            // A service that hands back the token it was given has nothing more to say.
            logger.debug(
                "The next token repeats the last one; pagination ends", metadata: ["aws.operation": "\(operation)"])
            isFinished = true
            return
        }
        token = next
    }
}
