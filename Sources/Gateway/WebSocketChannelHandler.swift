import Logging
import NIOCore
import NIOWebSocket

/// A WebSocket served from its channel pipeline, above NIO's frame codec: no Swift task lives
/// with an idle socket, only its channel.
///
/// The frame level is here, as RFC 6455 has it:
/// - Frames: reserved bits, reserved opcodes, unmasked frames and fragments out of order fail
///   the connection with 1002; text that is not UTF-8 with 1007, checked as each fragment
///   arrives (and at the end of a message that stops in the middle of a character); a message
///   whose fragments grow past `maxMessageBytes` with 1009. What NIO's frame decoder refuses (a
///   frame over the decoder's limit: 1009; a control frame longer than 125 bytes or fragmented:
///   1002) fails it the same way. Failing is immediate: no frame after the faulty one is looked
///   at, not even one that came in the same read.
/// - Control frames: pings are answered with their payload while the socket takes what it is
///   given; while it does not (a client that sends and never reads), only the latest ping waits
///   for an answer and nothing more is read from the socket until it is writable again. Pings and
///   pongs count against a rate limit (`controlFramesPerSecond`, bursts of twice that): a client
///   over it gets no answer, and past as many refused frames as the burst it is closed (1008).
///   The gateway pings every `pingInterval` with a fresh random payload; only a pong carrying it
///   answers (an unsolicited pong does not), and no answer by the next ping closes with 1001
///   "ping timeout".
/// - The close handshake: a valid close frame is echoed with its code (1000 when it has none); a
///   1-byte payload, a code RFC 6455 7.4 does not allow or a reason that is not UTF-8 is answered
///   with 1002. The gateway's own close frame is followed by a cut if the client does not answer
///   within two seconds; the server's graceful shutdown closes with 1001.
///
/// Complete messages go to the ``WebSocketEndpoint``. Envelopes do not pass through here: the hub
/// queues prebuilt frames on the ``ClientOutbox``, which writes them below the frame encoder.
final class WebSocketChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How long a client has to answer the gateway's close frame before the socket is cut.
    static var closeTimeout: TimeAmount { .seconds(2) }
    static let pingTimeout = CloseReason(code: .goingAway, text: "ping timeout")
    /// The longest close reason sent: a close frame's payload is at most 125 bytes, 2 for the code.
    static var maxCloseReasonBytes: Int { 123 }

    private let endpoint: any WebSocketEndpoint
    private let pingInterval: TimeAmount
    private let maxMessageBytes: Int
    private let logger: Logger

    /// The connection whose closes this socket follows (`WebSocketLink.follow`).
    private var connection: ClientOutbox?
    /// A fragmented message being collated, and its first frame's opcode.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    /// Where the text message being received stands in its UTF-8.
    private var text = UTF8Validator()
    private var controlFrames: InboundRateLimiter
    private var controlFrameStrikes = 0
    /// The payload of the gateway's last ping, until a pong carries it back.
    private var awaitedPong: UInt64?
    /// The latest client ping not answered yet: the socket was not writable when it came.
    private var pendingPong: ByteBuffer?
    private var isFlushNeeded = false
    /// A read the pipeline asked for while the socket was not writable, made when it is again.
    private var isReadHeld = false
    private var isChannelInactive = false
    private var isCloseFrameSent = false
    private var pingTask: RepeatedTask?
    private var cutTask: Scheduled<Void>?

    init(
        endpoint: any WebSocketEndpoint, pingInterval: Duration, maxMessageBytes: Int, controlFramesPerSecond: Int,
        logger: Logger
    ) {
        self.endpoint = endpoint
        self.pingInterval = TimeAmount(pingInterval)
        self.maxMessageBytes = maxMessageBytes
        self.controlFrames = InboundRateLimiter(messagesPerSecond: controlFramesPerSecond, now: .now)
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
        pendingPong = nil
        endpoint.closed()
    }

    // MARK: Back pressure

    /// No read while the socket is not writable: a client that does not read what it is sent
    /// cannot make the gateway read (and answer) more.
    func read(context: ChannelHandlerContext) {
        guard context.channel.isWritable else {
            isReadHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if let pong = pendingPong {
                pendingPong = nil
                sendFrame(.pong, data: pong, context: context)
            }
            if isReadHeld {
                isReadHeld = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if isFlushNeeded {
            isFlushNeeded = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    // MARK: Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !isCloseFrameSent else {
            // Closing: only the client's close frame still matters; it ends the wait for it.
            if frame.opcode == .connectionClose { context.close(promise: nil) }
            return
        }
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            return closeNow(.protocolError("reserved bits set without an extension"), context: context)
        }
        guard frame.maskKey != nil else { return closeNow(.protocolError("unmasked client frame"), context: context) }
        switch frame.opcode {
        case .ping:
            receivedPing(frame.unmaskedData, context: context)
        case .pong:
            receivedPong(frame.unmaskedData, context: context)
        case .connectionClose:
            receivedClose(frame.unmaskedData, context: context)
        case .text, .binary:
            guard fragments == nil else {
                return closeNow(.protocolError("new message inside a fragmented one"), context: context)
            }
            let data = frame.unmaskedData
            if frame.opcode == .text {
                text = UTF8Validator()
                guard isText(data, final: frame.fin) else { return invalidText(context: context) }
            }
            if frame.fin {
                deliver(opcode: frame.opcode, data: data, context: context)
            } else {
                fragments = (frame.opcode, data)
            }
        case .continuation:
            guard var collated = fragments else {
                return closeNow(.protocolError("continuation without a message"), context: context)
            }
            // A single frame that large is refused by the frame decoder, with the same code.
            guard collated.data.readableBytes + frame.data.readableBytes <= maxMessageBytes else {
                return closeNow(CloseReason(code: .messageTooLarge, text: "message too big"), context: context)
            }
            fragments = nil
            let data = frame.unmaskedData
            if collated.opcode == .text {
                guard isText(data, final: frame.fin) else { return invalidText(context: context) }
            }
            collated.data.writeImmutableBuffer(data)
            if frame.fin {
                deliver(opcode: collated.opcode, data: collated.data, context: context)
            } else {
                fragments = collated
            }
        default:
            closeNow(.protocolError("reserved opcode \(UInt8(webSocketOpcode: frame.opcode))"), context: context)
        }
    }

    /// Whether the text so far is UTF-8 (and, on a message's last frame, ends on a character).
    private func isText(_ data: ByteBuffer, final: Bool) -> Bool {
        data.withUnsafeReadableBytes { text.consume($0) } && (!final || text.isComplete)
    }

    private func invalidText(context: ChannelHandlerContext) {
        closeNow(CloseReason(code: .dataInconsistentWithMessage, text: "text is not UTF-8"), context: context)
    }

    private func deliver(opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        endpoint.received(opcode == .text ? .text(data) : .binary(data), WebSocketLink(handler: self, context: context))
    }

    /// Frame decoder errors (NIO's `WebSocketFrameDecoder`): a frame over its limit (1009), a
    /// control frame fragmented or longer than 125 bytes (1002). The decoder reads nothing more,
    /// so the client's close frame cannot be read: the gateway's own close frame is followed by
    /// the end of its side of the stream, and the client's close (or the cut) ends the socket.
    /// (Closing at once, with the client's frames unread, would reset the connection, and the
    /// client would often lose the close frame and its code.)
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketError {
            let reason: CloseReason
            switch error {
            case .invalidFrameLength: reason = CloseReason(code: .messageTooLarge, text: "message too big")
            case .fragmentedControlFrame: reason = .protocolError("fragmented control frame")
            case .multiByteControlFrameLength: reason = .protocolError("control frame longer than 125 bytes")
            }
            closeNow(reason, context: context)
            context.close(mode: .output, promise: nil)
            return
        }
        // What arrives after the decoder failed: the socket is closing already.
        if error is ByteToMessageDecoderError { return }
        context.fireErrorCaught(error)
    }

    // MARK: Control frames

    /// Answered at once while the socket is writable; otherwise the payload waits (replacing an
    /// older one) until it is (RFC 6455 5.5.3 allows answering only the latest ping).
    private func receivedPing(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        guard isControlFrameAllowed(context: context) else { return }
        guard context.channel.isWritable, pendingPong == nil else {
            pendingPong = payload
            return
        }
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: payload)), promise: nil)
        isFlushNeeded = true
    }

    /// Only the pong that carries the gateway's last ping payload answers it.
    private func receivedPong(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        guard isControlFrameAllowed(context: context) else { return }
        if let awaited = awaitedPong, payload.readableBytes == 8,
            payload.getInteger(at: payload.readerIndex, as: UInt64.self) == awaited
        {
            awaitedPong = nil
        }
    }

    private func isControlFrameAllowed(context: ChannelHandlerContext) -> Bool {
        if controlFrames.allow(at: .now) {
            controlFrameStrikes = 0
            return true
        }
        controlFrameStrikes += 1
        if controlFrameStrikes > controlFrames.strikeLimit { closeNow(.rateLimited, context: context) }
        return false
    }

    /// The client's close frame: answered with the same code (1000 when it sent none; 1002 when
    /// the payload is not a valid one), then the socket is closed.
    private func receivedClose(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        switch WebSocketClosePayload(payload) {
        case .invalid(let problem):
            closeNow(.protocolError(problem), context: context)
        case .empty:
            answerClose(code: .normalClosure, context: context)
        case .code(let code):
            answerClose(code: code, context: context)
        }
        context.close(promise: nil)
    }

    private func answerClose(code: WebSocketErrorCode, context: ChannelHandlerContext) {
        // Marked first, so the connection's close callback does not send a second frame.
        sendClose(code: code, reason: nil, context: context)
        connection?.requestClose(.clientClosed)
    }

    // MARK: Ping and close

    /// Every `pingInterval`: a client that did not answer the last ping is closed.
    private func ping(context: ChannelHandlerContext) {
        guard !isCloseFrameSent else { return }
        if awaitedPong != nil { return close(Self.pingTimeout, context: context) }
        let nonce = UInt64.random(in: .min ... .max)
        awaitedPong = nonce
        var data = context.channel.allocator.buffer(capacity: 8)
        data.writeInteger(nonce)
        sendFrame(.ping, data: data, context: context)
    }

    func sendFrame(_ opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard !isCloseFrameSent, !isChannelInactive else { return }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: data)), promise: nil)
    }

    func follow(_ connection: ClientOutbox, context: ChannelHandlerContext) {
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

    /// Fails the connection now, in the middle of a read: the close frame is written before
    /// anything else is looked at, after what the connection had queued (replies to earlier
    /// messages), and the connection takes nothing more.
    private func closeNow(_ reason: CloseReason, context: ChannelHandlerContext) {
        guard !isChannelInactive, !isCloseFrameSent else { return }
        fragments = nil
        pendingPong = nil
        if let connection {
            connection.requestClose(reason)
            connection.flushOnEventLoop()
        }
        closeRequested(reason, context: context)
    }

    private func closeRequested(_ reason: CloseReason, context: ChannelHandlerContext) {
        guard !isChannelInactive, !isCloseFrameSent else { return }
        logger.debug(
            "Closing WebSocket",
            metadata: [
                "ws.connection.id": "\(connection?.id.description ?? "-")", "ws.close.code": "\(reason.code)",
                "ws.close.reason": "\(reason.text)",
            ])
        sendClose(code: reason.code, reason: reason.text, context: context)
    }

    /// Writes the close frame and cuts the socket if the client does not answer in time. A code
    /// RFC 6455 7.4 does not allow on the wire is never sent (1011 instead), and the reason is
    /// cut to fit the frame, on a character boundary.
    private func sendClose(code: WebSocketErrorCode, reason: String?, context: ChannelHandlerContext) {
        guard !isCloseFrameSent, !isChannelInactive else { return }
        let number = UInt16(webSocketErrorCode: code)
        let code = WebSocketClosePayload.isSendable(number) ? code : .unexpectedServerError
        let reason = reason.map(Self.closeReason)
        var data = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        data.write(webSocketErrorCode: code)
        if let reason { data.writeSubstring(reason) }
        sendFrame(.connectionClose, data: data, context: context)
        isCloseFrameSent = true
        let channel = context.channel
        cutTask = context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// `text` cut to at most `maxCloseReasonBytes` bytes of UTF-8, on a character boundary.
    static func closeReason(_ text: String) -> Substring {
        var bytes = 0
        var end = text.startIndex
        for character in text {
            bytes += character.utf8.count
            guard bytes <= maxCloseReasonBytes else { break }
            end = text.index(after: end)
        }
        return text[..<end]
    }
}
