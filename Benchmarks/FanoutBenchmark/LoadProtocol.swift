/// What the load connections speak to the gateway.
enum LoadProtocol: String, CaseIterable, Sendable {
    /// The native endpoint: `/ws`, `{"op":"subscribe","stream":…}`, envelopes as text frames.
    case webSocket = "websocket"
    /// Socket.IO v4 over WebSocket only (`transports: ["websocket"]`): `/socket.io/?EIO=4&transport=websocket`,
    /// `40/aws-realtime,`, `42/aws-realtime,["subscribe-<stream>"]`, updates as
    /// `42/aws-realtime,["<stream>-update",{…}]`, Engine.IO pings `2` answered `3`.
    case socketIO = "socketio"
    /// nginx + nchan's `nchan_subscriber websocket` (`--bus nchan` only): `/sub/<channel>`, subscribed
    /// once upgraded, each message a text frame of the envelope as published.
    case nchan = "nchan"

    /// The request target of the WebSocket handshake.
    var path: String {
        switch self {
        case .webSocket: "/ws"
        case .socketIO: "/socket.io/?EIO=4&transport=websocket"
        case .nchan: "/sub/\(Self.nchanChannel)"
        }
    }

    static let namespace = "/aws-realtime"
    /// The nchan channel id the load clients subscribe to (nchan's location takes `\w+`); nchan
    /// listens on the Redis channel `{channel:/aws_metrics}:pubsub` for it.
    static let nchanChannel = "aws_metrics"
}
