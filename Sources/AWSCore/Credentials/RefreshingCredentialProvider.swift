import Foundation
import Logging
import SigV4

/// Caches the credentials a ``CredentialSource`` fetches and refreshes them before they expire.
///
/// - Credentials without an expiration are fetched once and kept.
/// - Inside the refresh window (``CredentialRefreshConfiguration/refreshWindow`` before expiry)
///   a caller refreshes; when that fails the current credentials are returned while they are
///   still valid, and the next attempt waits with exponential backoff.
/// - Expired (or never fetched) credentials are fetched before returning; a failure throws.
/// - Concurrent callers share one fetch: the actor holds the in-flight fetch as a `Task` that
///   every caller awaits (bounded by the source's own timeouts), so a source sees one request.
/// - ``invalidate()`` (after AWS answered `ExpiredToken`) makes the next call fetch, even if the
///   cached credentials look valid; a failure then throws.
public actor RefreshingCredentialProvider: CredentialProvider {
    private let source: any CredentialSource
    private let configuration: CredentialRefreshConfiguration
    private let now: @Sendable () -> Date
    private let logger: Logger

    private var cached: ExpiringCredentials?
    private var isInvalidated = false
    private var inFlight: Task<ExpiringCredentials, any Error>?
    private var consecutiveFailures = 0
    /// No refresh inside the refresh window before this moment (backoff after a failure, or a
    /// pause when the source keeps handing out credentials that are already in the window).
    private var nextRefreshAttempt: Date?

    public init(
        source: any CredentialSource,
        configuration: CredentialRefreshConfiguration = CredentialRefreshConfiguration(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.init(source: source, initial: nil, configuration: configuration, now: now, logger: logger)
    }

    /// `initial`: credentials already fetched (the chain's first fetch), so they are not fetched twice.
    init(
        source: any CredentialSource, initial: ExpiringCredentials?, configuration: CredentialRefreshConfiguration,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.source = source
        self.configuration = configuration
        self.now = now
        var logger = logger
        logger[metadataKey: "aws.credentials.source"] = "\(source.name)"
        self.logger = logger
        self.cached = initial
    }

    public func credentials() async throws -> AWSCredentials {
        let current = now()
        if let cached, !isInvalidated {
            guard let expiration = cached.expiration else { return cached.credentials }
            if current < expiration.addingTimeInterval(-configuration.refreshWindow.timeInterval) {
                return cached.credentials
            }
            if current < expiration {
                if inFlight == nil, let next = nextRefreshAttempt, current < next {
                    return cached.credentials
                }
                do {
                    return try await refresh().credentials
                } catch {
                    // Still valid: keep using them until they expire.
                    if let valid = validCredentials() { return valid }
                    throw error
                }
            }
        }
        return try await refresh().credentials
    }

    // `async` so that no call site resolves to the protocol extension's no-op default instead.
    public func invalidate() async {
        isInvalidated = true
    }

    /// The cached credentials if they have not expired and were not invalidated.
    private func validCredentials() -> AWSCredentials? {
        guard let cached, !isInvalidated else { return nil }
        guard let expiration = cached.expiration else { return cached.credentials }
        return now() < expiration ? cached.credentials : nil
    }

    /// Joins the fetch in flight, or starts one. The caller that starts it records the outcome.
    private func refresh() async throws -> ExpiringCredentials {
        if let inFlight {
            return try await inFlight.value
        }
        let source = self.source
        // Unstructured on purpose: it is shared by every concurrent caller and awaited by all of
        // them, and it must not be cancelled with whichever caller happened to start it.
        let task = Task { try await source.fetchCredentials() }
        inFlight = task
        do {
            let fresh = try await task.value
            inFlight = nil
            record(success: fresh)
            return fresh
        } catch {
            inFlight = nil
            record(failure: error)
            throw error
        }
    }

    private func record(success fresh: ExpiringCredentials) {
        let current = now()
        cached = fresh
        isInvalidated = false
        consecutiveFailures = 0
        nextRefreshAttempt = nil
        if let expiration = fresh.expiration {
            if expiration.addingTimeInterval(-configuration.refreshWindow.timeInterval) <= current {
                // Already inside the window: do not fetch again on every call.
                nextRefreshAttempt = current.addingTimeInterval(configuration.initialRetryBackoff.timeInterval)
            }
            logger.debug(
                "Fetched credentials",
                metadata: ["aws.credentials.expiration": "\(expiration.formatted(.iso8601))"])
        } else {
            logger.debug("Fetched credentials without expiration")
        }
    }

    private func record(failure error: any Error) {
        consecutiveFailures += 1
        let backoff = configuration.retryBackoff(afterFailures: consecutiveFailures)
        nextRefreshAttempt = now().addingTimeInterval(backoff.timeInterval)
        var metadata: Logger.Metadata = [
            "aws.credentials.failures": "\(consecutiveFailures)",
            "aws.error": "\(error)",
        ]
        if let expiration = cached?.expiration, !isInvalidated, now() < expiration {
            metadata["aws.credentials.expiration"] = "\(expiration.formatted(.iso8601))"
            metadata["aws.credentials.retry_in"] = "\(backoff)"
            logger.info("Credential refresh failed; keeping the current credentials until they expire", metadata: metadata)
        } else {
            logger.info("Fetching credentials failed", metadata: metadata)
        }
    }
}
