import AsyncPrimitives

/// Retries in the AWS SDKs' standard mode.
public struct AWSRetryConfiguration: Sendable {
    /// Attempts in all, the first included (`AWS_MAX_ATTEMPTS`, default 3).
    public var maxAttempts: Int
    /// The delay before retry `n` (1-based) is `random(0,1) * min(2^(n-1) * backoffUnit, maxBackoff)`.
    public var backoffUnit: Duration
    public var maxBackoff: Duration
    /// The retry quota's capacity in tokens.
    public var quotaCapacity: Int
    public var retryCost: Int
    public var timeoutRetryCost: Int
    /// Tokens returned by a call that succeeds on its first attempt.
    public var successIncrement: Int

    public init(
        maxAttempts: Int = 3, backoffUnit: Duration = .seconds(1), maxBackoff: Duration = .seconds(20),
        quotaCapacity: Int = 500, retryCost: Int = 5, timeoutRetryCost: Int = 10, successIncrement: Int = 1
    ) {
        self.maxAttempts = maxAttempts
        self.backoffUnit = backoffUnit
        self.maxBackoff = maxBackoff
        self.quotaCapacity = quotaCapacity
        self.retryCost = retryCost
        self.timeoutRetryCost = timeoutRetryCost
        self.successIncrement = successIncrement
    }

    /// Reads `AWS_MAX_ATTEMPTS`; a value that is not a whole number from 1 to 20 is a configuration error.
    public static func fromEnvironment(_ environment: [String: String]) throws(AWSError) -> AWSRetryConfiguration {
        var configuration = AWSRetryConfiguration()
        if let raw = environment["AWS_MAX_ATTEMPTS"], !raw.isEmpty {
            guard let attempts = Int(raw), (1...20).contains(attempts) else {
                throw AWSError.configuration("'\(raw)' is not a whole number of attempts from 1 to 20", key: "AWS_MAX_ATTEMPTS")
            }
            configuration.maxAttempts = attempts
        }
        return configuration
    }

    /// The backoff before retry `retry` (1-based), given a random draw in [0, 1).
    func backoff(retry: Int, random: Double) -> Duration {
        ExponentialBackoff(initial: backoffUnit, maximum: maxBackoff, jitter: 1).delay(attempt: retry - 1, random: random)
    }
}
