import Foundation

/// Helpers shared by the STS sources.
enum STSSessionName {
    /// `aws-realtime-<milliseconds since 1970>`, as the SDKs name sessions nobody named.
    static func generate(now: Date) -> String {
        "aws-realtime-\(Int64(now.timeIntervalSince1970 * 1000))"
    }

    /// An STS failure as a credentials error that names the role; the STS error (its code, status
    /// and request id) is in the message and in `underlying`.
    static func credentialsError(_ error: AWSError, role: String) -> AWSError {
        if error.kind == .credentials { return error }
        return AWSError(
            kind: .credentials, message: "assuming \(role) failed: \(error.description)", isRetryable: error.isRetryable,
            underlying: error)
    }
}
