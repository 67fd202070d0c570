import AWSCore

/// What the server does with one request: decided by ``ReplayResponder``, performed by the
/// connection handler.
public enum ReplayAction: Sendable {
    /// Send this response (its `Content-Length` and `Date` already set) after `delay`.
    case respond(AWSHTTPResponse, delay: Duration)
    /// Abort the connection with a TCP reset, no response.
    case reset
    /// Send the status line and headers announcing the whole body, `sendBytes` of it, then close.
    case truncate(AWSHTTPResponse, sendBytes: Int)

    public var response: AWSHTTPResponse? {
        switch self {
        case .respond(let response, _), .truncate(let response, _): response
        case .reset: nil
        }
    }
}
