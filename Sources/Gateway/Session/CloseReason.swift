import NIOWebSocket

/// Why the gateway closes a connection, with the WebSocket close code and reason it sends.
struct CloseReason: Sendable, Equatable {
    let code: WebSocketErrorCode
    let text: String

    static let slowConsumer = CloseReason(code: .unknown(1013), text: "slow consumer: outbound queue full")
    static let tokenExpired = CloseReason(code: .policyViolation, text: "token expired")
    static let goingAway = CloseReason(code: .goingAway, text: "going away")
    static let rateLimited = CloseReason(code: .policyViolation, text: "inbound message rate exceeded")
    /// Socket.IO: the client closed its Engine.IO session, or its transport went away.
    static let clientClosed = CloseReason(code: .normalClosure, text: "closed by the client")
    /// Socket.IO: no pong within `pingTimeout`.
    static let pingTimeout = CloseReason(code: .normalClosure, text: "ping timeout")
    /// Socket.IO: no namespace connected within `connectTimeout`.
    static let connectTimeout = CloseReason(code: .policyViolation, text: "no namespace connected in time")
    /// Socket.IO: a packet the protocol does not allow; `text` says which.
    static func protocolError(_ text: String) -> CloseReason { CloseReason(code: .protocolError, text: text) }
}
