/// Which errors are worth another attempt, as the AWS SDKs' standard retry mode lists them.
public enum AWSRetryPolicy {
    /// Throttling error codes (the SDKs' list).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Transient error codes.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "InternalServerError",
        "ServiceUnavailable", "ServiceUnavailableException",
    ]

    /// Transient HTTP statuses.
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// Clock-skew error codes: the request is re-signed with a corrected clock.
    public static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch",
        "AuthFailure",
    ]

    /// Codes that mean the session token has expired: the credentials are refreshed and the call tried once more.
    public static let expiredTokenCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    public static func isThrottling(code: String?, status: Int?) -> Bool {
        status == 429 || code.map(throttlingCodes.contains) == true
    }

    public static func isRetryable(code: String?, status: Int?) -> Bool {
        if isThrottling(code: code, status: status) { return true }
        if let code, transientCodes.contains(code) { return true }
        if let status, transientStatuses.contains(status) { return true }
        return false
    }
}
