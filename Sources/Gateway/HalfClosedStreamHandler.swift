import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes an HTTP connection whose client half-closed it (TCP FIN, `ChannelEvent.inputClosed`)
/// while one of the gateway's long-lived responses runs on it: an SSE stream (`/events`) or an
/// Engine.IO long poll (`/socket.io/`). Such a request is complete, nothing more can come from
/// the client, and the response could otherwise run until a heartbeat write fails; closed, the
/// connection is released at once (the SSE session follows the channel's close).
///
/// Any other request half-closed after it was sent is answered as before (the server lets the
/// response finish, then closes), so a client that shuts its side after a short request still
/// gets its response. Upgraded WebSockets do not allow half-closure at all
/// (`GatewayWebSocketChannel`).
final class HalfClosedStreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A long-lived request is being answered (its head read, its response not ended).
    private var isStreaming = false

    static func isLongLived(_ head: HTTPRequest) -> Bool {
        guard head.method == .get, let path = head.path else { return false }
        let route = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return route == "/events" || route == "/socket.io/" || route == "/socket.io"
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { isStreaming = Self.isLongLived(head) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { isStreaming = false }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, isStreaming {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
