import NIOCore

extension ClientOutbox {
    /// `error` as this connection's client is told it outside a session (recovery on the relay
    /// path), in its protocol's frames' `notice`: a `/ws` control message, an SSE `error` event,
    /// a Socket.IO `error` event.
    func payload(for error: ClientProtocolError) -> ByteBuffer {
        switch format {
        case .webSocket: ClientOpsFrames().notice(error)
        case .serverSentEvents: ServerSentEventsFrames.errorEvent(error)
        case .socketIO: SocketIOSessionFrames.errorEvent(error)
        }
    }
}
