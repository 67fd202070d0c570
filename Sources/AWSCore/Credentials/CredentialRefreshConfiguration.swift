import AsyncPrimitives

/// When ``RefreshingCredentialProvider`` refreshes temporary credentials, and how it retries.
/// Every field has a default that serves a first run.
public struct CredentialRefreshConfiguration: Sendable {
    /// Credentials are refreshed this long before they expire (the SDKs use 5 to 15 minutes).
    public var refreshWindow: Duration
    /// After a failed refresh while the current credentials are still valid, the next attempt
    /// waits this long, doubling with each failure up to ``maxRetryBackoff``.
    public var initialRetryBackoff: Duration
    public var maxRetryBackoff: Duration

    public init(
        refreshWindow: Duration = .seconds(300),
        initialRetryBackoff: Duration = .seconds(5),
        maxRetryBackoff: Duration = .seconds(60)
    ) {
        self.refreshWindow = refreshWindow
        self.initialRetryBackoff = initialRetryBackoff
        self.maxRetryBackoff = maxRetryBackoff
    }

    /// The wait after `failures` failed refreshes in a row (1, 2, ...).
    public func retryBackoff(afterFailures failures: Int) -> Duration {
        ExponentialBackoff(initial: initialRetryBackoff, maximum: maxRetryBackoff).delay(attempt: failures - 1, random: 0)
    }
}

extension Duration {
    /// The duration in seconds, as `TimeInterval` arithmetic on `Date` wants it.
    var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
