import NIOCore
import NIOWebSocket

/// One complete inbound WebSocket message (fragments collated).
enum WebSocketMessage {
    case text(ByteBuffer)
    case binary(ByteBuffer)
}

/// What a WebSocket served from its channel pipeline (``WebSocketChannelHandler``) does with its
/// messages: `/ws`'s JSON ops, or Engine.IO packets. Every call comes on the socket's event loop;
/// an endpoint that continues in a task hops back to that loop (`WebSocketLink.eventLoop`).
protocol WebSocketEndpoint: AnyObject {
    /// The socket is upgraded and ready.
    func opened(_ link: WebSocketLink)
    func received(_ message: WebSocketMessage, _ link: WebSocketLink)
    /// The socket is gone; nothing more will come.
    func closed()
}

/// The socket as its endpoint sees it, on its event loop only.
struct WebSocketLink {
    let handler: WebSocketChannelHandler
    let context: ChannelHandlerContext

    var channel: any Channel { context.channel }
    var eventLoop: any EventLoop { context.eventLoop }

    /// Writes one text frame now (an Engine.IO probe answer; everything else goes through the
    /// connection's queue).
    func sendText(_ text: String) {
        handler.sendFrame(.text, data: ByteBuffer(string: text), context: context)
    }

    /// Closes the socket with `reason`: through the followed connection when there is one (so the
    /// hub forgets it too), else with the close frame at once.
    func close(_ reason: CloseReason) {
        handler.close(reason, context: context)
    }

    /// From now on, a close the gateway asks of `connection` closes this socket with its code and
    /// reason, and this socket's own closes (ping timeout, protocol errors) close the connection.
    func follow(_ connection: ClientOutbox) {
        handler.follow(connection, context: context)
    }
}
