import Logging
import NIOCore
import NIOWebSocket

/// A WebSocket served from its channel pipeline, above NIO's frame codec: no Swift task lives
/// with an idle socket, only its channel.
///
/// The frame level is here: pings answered, a ping every `pingInterval` (no pong by the next one
/// closes with 1001 "ping timeout"), fragments collated up to `maxMessageBytes` (beyond: 1009),
/// the close handshake (the client's close frame echoed; the gateway's own close frame followed
/// by a cut if the client does not answer within two seconds), and the server's graceful
/// shutdown (1001). Complete messages go to the ``WebSocketEndpoint``. Envelopes do not pass
/// through here: the hub queues prebuilt frames on the ``GatewayConnection``, which writes them
/// below the frame encoder.
final class WebSocketChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How long a client has to answer the gateway's close frame before the socket is cut.
    static var closeTimeout: TimeAmount { .seconds(2) }
    static let pingTimeout = CloseReason(code: .goingAway, text: "ping timeout")

    private let endpoint: any WebSocketEndpoint
    private let pingInterval: TimeAmount
    private let maxMessageBytes: Int
    private let logger: Logger

    /// The connection whose closes this socket follows (`WebSocketLink.follow`).
    private var connection: GatewayConnection?
    /// A fragmented message being collated, and its first frame's opcode.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    private var isChannelInactive = false
    private var isCloseFrameSent = false
    private var isAwaitingPong = false
    private var pingTask: RepeatedTask?
    private var cutTask: Scheduled<Void>?

    init(endpoint: any WebSocketEndpoint, pingInterval: Duration, maxMessageBytes: Int, logger: Logger) {
        self.endpoint = endpoint
        self.pingInterval = TimeAmount(pingInterval)
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        pingTask = context.eventLoop.scheduleRepeatedTask(initialDelay: pingInterval, delay: pingInterval) { _ in
            let (handler, context) = bound.value
            handler.ping(context: context)
        }
        endpoint.opened(WebSocketLink(handler: self, context: context))
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
    }

    /// Graceful shutdown of the server: close with 1001, as the drain does.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            close(.goingAway, context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func tearDown() {
        guard !isChannelInactive else { return }
        isChannelInactive = true
        pingTask?.cancel()
        pingTask = nil
        cutTask?.cancel()
        cutTask = nil
        fragments = nil
        endpoint.closed()
    }

    // MARK: Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            guard frame.fin else { return close(.protocolError("fragmented ping"), context: context) }
            sendFrame(.pong, data: frame.unmaskedData, context: context)
        case .pong:
            isAwaitingPong = false
        case .connectionClose:
            receivedClose(frame, context: context)
        case .text, .binary:
            guard fragments == nil else { return close(.protocolError("new message inside a fragmented one"), context: context) }
            if frame.fin {
                deliver(opcode: frame.opcode, data: frame.unmaskedData, context: context)
            } else {
                fragments = (frame.opcode, frame.unmaskedData)
            }
        case .continuation:
            guard var collated = fragments else {
                return close(.protocolError("continuation without a message"), context: context)
            }
            fragments = nil
            var data = frame.unmaskedData
            collated.data.writeBuffer(&data)
            // A single frame that large is refused by the frame decoder, with the same code.
            guard collated.data.readableBytes <= maxMessageBytes else {
                return close(CloseReason(code: .messageTooLarge, text: "message too big"), context: context)
            }
            if frame.fin {
                deliver(opcode: collated.opcode, data: collated.data, context: context)
            } else {
                fragments = collated
            }
        default:
            close(.protocolError("unknown opcode"), context: context)
        }
    }

    private func deliver(opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard !isCloseFrameSent else { return }
        endpoint.received(opcode == .text ? .text(data) : .binary(data), WebSocketLink(handler: self, context: context))
    }

    /// The client's close frame: answered with the same code (1000 when it sent none), then the
    /// socket is closed; the answer to the gateway's own close ends the wait for it.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if !isCloseFrameSent {
            var data = frame.unmaskedData
            let code = data.readableBytes >= 2 ? data.readWebSocketErrorCode() ?? .normalClosure : .normalClosure
            // Marked first, so the connection's close callback does not send a second frame.
            sendClose(code: code, reason: nil, context: context)
            connection?.requestClose(.clientClosed)
        }
        context.close(promise: nil)
    }

    // MARK: Ping and close

    /// Every `pingInterval`: a client that did not answer the last ping is closed.
    private func ping(context: ChannelHandlerContext) {
        guard !isCloseFrameSent else { return }
        if isAwaitingPong { return close(Self.pingTimeout, context: context) }
        isAwaitingPong = true
        sendFrame(.ping, data: ByteBuffer(), context: context)
    }

    func sendFrame(_ opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard !isCloseFrameSent, !isChannelInactive else { return }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: data)), promise: nil)
    }

    func follow(_ connection: GatewayConnection, context: ChannelHandlerContext) {
        self.connection = connection
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        connection.onCloseRequested { reason in
            loop.execute {
                let (handler, context) = bound.value
                handler.closeRequested(reason, context: context)
            }
        }
    }

    /// Through the followed connection when there is one (its close callback comes back to
    /// `closeRequested`), else at once.
    func close(_ reason: CloseReason, context: ChannelHandlerContext) {
        if let connection, connection.isOpen {
            connection.requestClose(reason)
        } else {
            closeRequested(reason, context: context)
        }
    }

    private func closeRequested(_ reason: CloseReason, context: ChannelHandlerContext) {
        guard !isChannelInactive, !isCloseFrameSent else { return }
        logger.debug(
            "Closing WebSocket",
            metadata: [
                "ws.connection.id": "\(connection?.id.description ?? "-")", "ws.close.reason": "\(reason.text)",
            ])
        sendClose(code: reason.code, reason: reason.text, context: context)
    }

    /// Writes the close frame and cuts the socket if the client does not answer in time.
    private func sendClose(code: WebSocketErrorCode, reason: String?, context: ChannelHandlerContext) {
        guard !isCloseFrameSent, !isChannelInactive else { return }
        var data = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        data.write(webSocketErrorCode: code)
        if let reason { data.writeString(reason) }
        sendFrame(.connectionClose, data: data, context: context)
        isCloseFrameSent = true
        let channel = context.channel
        cutTask = context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }
}
