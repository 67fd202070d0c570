import AWSCore

/// How one AWS request ended, in a few classes (a bounded label for `/metrics`; the AWS error
/// code itself goes to the error counters).
public struct AWSRequestOutcome: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, Hashable, Sendable {
        case success, throttled, clientError = "client_error", serverError = "server_error", transport, other
    }
    private let base: Base

    private init(base: Base) {
        self.base = base
    }

    /// AWS answered with success: billed.
    public static let success = AWSRequestOutcome(base: .success)
    /// AWS refused for rate (`ThrottlingException`, HTTP 429, ...).
    public static let throttled = AWSRequestOutcome(base: .throttled)
    /// AWS refused the request (4xx: access, validation, subscription...).
    public static let clientError = AWSRequestOutcome(base: .clientError)
    /// AWS failed (5xx).
    public static let serverError = AWSRequestOutcome(base: .serverError)
    /// No answer (connection, timeout, TLS).
    public static let transport = AWSRequestOutcome(base: .transport)
    /// Anything else (an unreadable answer, a cancelled request).
    public static let other = AWSRequestOutcome(base: .other)

    public static let allCases: [AWSRequestOutcome] = [.success, .throttled, .clientError, .serverError, .transport, .other]

    public var description: String { base.rawValue }

    init(failure error: any Error) {
        guard let error = error as? AWSError else {
            self = .other
            return
        }
        if error.kind == .transport {
            self = .transport
        } else if error.kind != .service {
            self = .other
        } else if AWSRequestOutcome.isThrottling(error) {
            self = .throttled
        } else if let status = error.httpStatus, status >= 500 {
            self = .serverError
        } else {
            self = .clientError
        }
    }

    static func isThrottling(_ error: AWSError) -> Bool {
        if error.httpStatus == 429 { return true }
        guard let code = error.code else { return false }
        return code.contains("Throttl") || code == "RequestLimitExceeded" || code == "TooManyRequestsException"
            || code == "LimitExceededException" || code == "RequestThrottled"
    }
}
