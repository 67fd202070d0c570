import AWSCapture
import AWSCore

/// One fault the replay server can inject instead of (or on top of) the captured answer.
///
/// Error faults answer in the request's protocol shape (see ``CaptureErrorResponse``) and do not
/// use up a capture, so the client's retry gets the capture the faulted request would have got.
/// `slowFirstByte` serves the capture (and uses it up) after a delay.
public struct ReplayFault: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case throttle = "throttle"
        case internalError = "internal-error"
        case serviceUnavailable = "service-unavailable"
        case expiredToken = "expired-token"
        case accessDenied = "access-denied"
        case skewedDate = "skewed-date"
        case reset = "reset"
        case slowFirstByte = "slow-first-byte"
        case truncatedBody = "truncated-body"
    }

    public var kind: Kind
    /// Overrides the status of an error fault.
    public var status: Int?
    /// Overrides the error code of an error fault (e.g. `RequestTimeTooSkewed` for `skewed-date`).
    public var code: String?
    public var message: String?
    /// `slow-first-byte`: how long to wait before the status line. Default 2000 ms, at most 60 s.
    public var delayMilliseconds: Int
    /// `skewed-date`: how far the response `Date` is from the server's clock. Default +1800 s.
    public var skewSeconds: Int
    /// `truncated-body`: how many body bytes to send before closing (default half the body).
    public var sendBytes: Int?

    public static let maximumDelayMilliseconds = 60_000

    public init(
        _ kind: Kind,
        status: Int? = nil,
        code: String? = nil,
        message: String? = nil,
        delayMilliseconds: Int = 2000,
        skewSeconds: Int = 1800,
        sendBytes: Int? = nil
    ) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.delayMilliseconds = min(max(0, delayMilliseconds), Self.maximumDelayMilliseconds)
        self.skewSeconds = skewSeconds
        self.sendBytes = sendBytes
    }

    /// True when the faulted request is answered from its capture (which is then used up).
    public var servesCapture: Bool { kind == .slowFirstByte }

    /// The error an error fault answers with, in `wire`'s shape; nil for transport-level faults.
    /// `amzDate` is the request's `X-Amz-Date`, quoted by the skewed-date message as AWS does.
    public func errorResponse(for wire: CaptureWireProtocol, amzDate: String?, serverTime: String) -> CaptureErrorResponse? {
        let isQuery = wire == .awsQuery
        let isREST = wire == .restJSON
        var error: CaptureErrorResponse
        switch kind {
        case .throttle:
            error =
                isQuery
                ? CaptureErrorResponse(status: 400, code: "Throttling", message: "Rate exceeded")
                : isREST
                    ? CaptureErrorResponse(status: 429, code: "TooManyRequestsException", message: "Rate exceeded")
                    : CaptureErrorResponse(status: 400, code: "ThrottlingException", message: "Rate exceeded")
        case .internalError:
            error = CaptureErrorResponse(
                status: 500,
                code: isQuery ? "InternalFailure" : "InternalServerException",
                message: "The request processing has failed because of an unknown error, exception or failure.",
                isSenderFault: false
            )
        case .serviceUnavailable:
            error = CaptureErrorResponse(
                status: 503,
                code: isQuery ? "ServiceUnavailable" : "ServiceUnavailableException",
                message: "The request has failed due to a temporary failure of the server.",
                isSenderFault: false
            )
        case .expiredToken:
            error = CaptureErrorResponse(
                status: isQuery || isREST ? 403 : 400,
                code: isQuery ? "ExpiredToken" : "ExpiredTokenException",
                message: "The security token included in the request is expired"
            )
        case .accessDenied:
            error = CaptureErrorResponse(
                status: isQuery || isREST ? 403 : 400,
                code: isQuery ? "AccessDenied" : "AccessDeniedException",
                message:
                    "User: arn:aws:sts::123456789012:assumed-role/aws-realtime/replay is not authorized to perform this action"
            )
        case .skewedDate:
            let signed = amzDate ?? "(no X-Amz-Date)"
            error = CaptureErrorResponse(
                status: isQuery || isREST ? 403 : 400,
                code: isQuery ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                message: "Signature expired: \(signed) is now earlier than \(serverTime) - 15 min. (server clock skewed)"
            )
        case .reset, .slowFirstByte, .truncatedBody:
            return nil
        }
        if let status { error.status = status }
        if let code { error.code = code }
        if let message { error.message = message }
        return error
    }
}
