import NIOCore

extension ClientOutbox {
    /// `error` as this connection's client is told it: a `/ws` control message, an SSE `error`
    /// event, a Socket.IO `error` event.
    func payload(for error: ClientProtocolError) -> ByteBuffer {
        switch format {
        case .webSocket:
            ControlMessage.error(error)
        case .serverSentEvents:
            PreparedMessage.sseEvent(id: nil, event: "error", data: ControlMessage.error(error))
        case .socketIO:
            SocketIOFrames.event("error", json: SocketIOFrames.errorPayload(error))
        }
    }
}
