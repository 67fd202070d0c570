import Bus
import Logging
import NIOCore
import NIOWebSocket
import Payloads

/// One `/ws` client, served from its channel pipeline: no Swift task lives with an idle socket.
///
/// Sits above NIO's frame codec once the upgrade is done. It answers pings, pings the client
/// every `pingInterval` (no pong by the next ping closes with 1001), collates fragmented
/// messages up to `maxInboundFrameBytes` (beyond: 1009), rate-limits inbound messages, and runs
/// the client's ops in order: a subscribe (which may read the broker) runs in a short-lived task
/// while later messages wait here, bounded. Envelopes do not pass through it: the hub queues
/// prebuilt frames on the ``GatewayConnection``, which writes them below the frame encoder.
///
/// Every close the gateway decides (slow consumer, token expiry, drain, rate, no pong) goes
/// through `GatewayConnection.requestClose`, which calls back here: the close frame with its code
/// and reason, then the socket is cut if the client does not answer within two seconds.
final class WebSocketSessionHandler<Bus: SubscriberBus>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Messages that may wait while a subscribe runs; more closes the connection.
    static var maxWaitingMessages: Int { 32 }
    /// How long a client has to answer the gateway's close frame before the socket is cut.
    static var closeTimeout: TimeAmount { .seconds(2) }

    private let hub: GatewayHub<Bus>
    private let grant: GatewayGrant
    private let tokenLifetime: Duration?
    private let logger: Logger
    private let clock = ContinuousClock()

    private var connection: GatewayConnection?
    private var isAdmitted = false
    private var subscriptions: Set<StreamName> = []
    private var limiter: InboundRateLimiter
    private var strikes = 0
    /// A fragmented message being collated, and its first frame's opcode.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    /// Messages that arrived while an op ran in a task (nil: a binary one), handled in order
    /// when it ends.
    private var waiting: [ByteBuffer?] = []
    private var isRunningOp = false
    private var isChannelInactive = false
    private var isCloseFrameSent = false
    private var isAwaitingPong = false
    private var pingTask: RepeatedTask?
    private var expiryTask: Scheduled<Void>?
    private var cutTask: Scheduled<Void>?

    private var limits: GatewayConfiguration.Limits { hub.configuration.limits }
    private var metrics: GatewayMetrics { hub.metrics }

    init(hub: GatewayHub<Bus>, grant: GatewayGrant, tokenLifetime: Duration?, logger: Logger) {
        self.hub = hub
        self.grant = grant
        self.tokenLifetime = tokenLifetime
        self.logger = logger
        self.limiter = InboundRateLimiter(
            messagesPerSecond: hub.configuration.limits.inboundMessagesPerSecond, now: ContinuousClock().now)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        let connection = GatewayConnection(
            format: .webSocket, transport: .channel(context.channel), limits: hub.connectionLimits, metrics: metrics)
        self.connection = connection
        guard hub.admit(connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            sendClose(context: context, code: .unknown(1013), reason: "connection limit reached; try again later")
            return
        }
        isAdmitted = true
        GatewayMetrics.add(metrics.webSocketConnections)
        logger.debug("WebSocket connected", metadata: ["ws.connection.id": "\(connection.id)"])

        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        connection.onCloseRequested { reason in
            loop.execute {
                let (handler, context) = bound.value
                handler.closeRequested(reason, context: context)
            }
        }
        let interval = TimeAmount(limits.pingInterval)
        pingTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (handler, context) = bound.value
            handler.ping(context: context)
        }
        if let tokenLifetime {
            let metrics = self.metrics
            expiryTask = loop.scheduleTask(in: TimeAmount(tokenLifetime)) {
                GatewayMetrics.add(metrics.tokenExpiries)
                connection.requestClose(.tokenExpired)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isChannelInactive = true
        tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
    }

    /// Graceful shutdown of the server: close with 1001 as the drain does.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            connection?.requestClose(.goingAway)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Once the socket is gone: timers off, the connection closed and (unless an op still holds
    /// it; that op removes it when it ends) forgotten by the hub.
    private func tearDown() {
        pingTask?.cancel()
        pingTask = nil
        expiryTask?.cancel()
        expiryTask = nil
        cutTask?.cancel()
        cutTask = nil
        waiting = []
        guard let connection else { return }
        connection.requestClose(.clientClosed)
        if !isRunningOp { leaveHub(connection) }
    }

    private func leaveHub(_ connection: GatewayConnection) {
        guard isAdmitted else { return }
        isAdmitted = false
        hub.remove(connection)
        GatewayMetrics.add(metrics.webSocketConnections, -1)
        logger.debug(
            "WebSocket closed",
            metadata: [
                "ws.connection.id": "\(connection.id)", "ws.close.reason": "\(connection.closeReason?.text ?? "closed")",
            ])
    }

    // MARK: Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            guard frame.fin else { return protocolError("fragmented ping", context: context) }
            guard !isCloseFrameSent else { return }
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            isAwaitingPong = false
        case .connectionClose:
            receivedClose(frame, context: context)
        case .text, .binary:
            guard fragments == nil else { return protocolError("new message inside a fragmented one", context: context) }
            if frame.fin {
                received(opcode: frame.opcode, data: frame.unmaskedData, context: context)
            } else {
                fragments = (frame.opcode, frame.unmaskedData)
            }
        case .continuation:
            guard var collated = fragments else { return protocolError("continuation without a message", context: context) }
            fragments = nil
            var data = frame.unmaskedData
            collated.data.writeBuffer(&data)
            guard collated.data.readableBytes <= limits.maxInboundFrameBytes else { return messageTooBig() }
            if frame.fin {
                received(opcode: collated.opcode, data: collated.data, context: context)
            } else {
                fragments = collated
            }
        default:
            protocolError("unknown opcode", context: context)
        }
    }

    /// A fragmented message grew past `maxInboundFrameBytes` (a single frame that large is
    /// refused by the frame decoder, with the same code).
    private func messageTooBig() {
        connection?.requestClose(CloseReason(code: .messageTooLarge, text: "message too big"))
    }

    private func protocolError(_ text: String, context: ChannelHandlerContext) {
        connection?.requestClose(.protocolError(text))
    }

    /// The client's close frame: answered with the same code (1000 when it sent none), then the
    /// socket is closed; the answer to the gateway's own close ends the wait for it.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if !isCloseFrameSent {
            var data = frame.unmaskedData
            let code = data.readableBytes >= 2 ? data.readWebSocketErrorCode() ?? .normalClosure : .normalClosure
            connection?.requestClose(.clientClosed)
            sendClose(context: context, code: code, reason: nil)
        }
        context.close(promise: nil)
    }

    // MARK: Messages

    private func received(opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard let connection, connection.isOpen else { return }
        guard limiter.allow(at: clock.now) else {
            GatewayMetrics.add(metrics.rateLimited)
            strikes += 1
            if strikes > limiter.strikeLimit {
                connection.requestClose(.rateLimited)
            } else if strikes == 1 {
                reply(.rateLimited, to: connection)
            }
            return
        }
        strikes = 0
        let message = opcode == .text ? data : nil
        if isRunningOp {
            guard waiting.count < Self.maxWaitingMessages else {
                connection.requestClose(CloseReason(code: .policyViolation, text: "too many messages waiting"))
                return
            }
            waiting.append(message)
            return
        }
        handle(message, connection: connection, context: context)
    }

    /// Handles one message; a subscribe continues in a task and the waiting ones follow it.
    private func handle(_ text: ByteBuffer?, connection: GatewayConnection, context: ChannelHandlerContext) {
        let parsed: Result<ClientMessage, ClientProtocolError> = text.map(ClientMessage.parse) ?? .failure(.binaryFrame)
        switch parsed {
        case .failure(let error):
            reply(error, to: connection)
        case .success(.ping):
            connection.send(ControlMessage.pong)
        case .success(.unsubscribe(let stream)):
            if hub.unsubscribe(connection, from: stream) {
                subscriptions.remove(stream)
                connection.send(ControlMessage.unsubscribed(stream))
            } else {
                reply(.notSubscribed(stream), to: connection)
            }
        case .success(.subscribe(let stream, let since)):
            if !grant.allows(stream) {
                reply(.forbidden(stream), to: connection)
            } else if subscriptions.contains(stream) {
                reply(.alreadySubscribed(stream), to: connection)
            } else if subscriptions.count >= limits.maxSubscriptionsPerConnection {
                reply(.tooManySubscriptions(limits.maxSubscriptionsPerConnection), to: connection)
            } else {
                subscribe(connection, to: stream, since: since, context: context)
            }
        }
    }

    private func subscribe(
        _ connection: GatewayConnection, to stream: StreamName, since: BusMessageID?, context: ChannelHandlerContext
    ) {
        isRunningOp = true
        let hub = self.hub
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        Task {
            var failure: ClientProtocolError?
            do throws(ClientProtocolError) {
                try await hub.subscribe(connection, to: stream, since: since) { start in
                    connection.send(ControlMessage.subscribed(stream, snapshot: start.snapshot?.envelope))
                    for message in start.resume { connection.send(message.envelope) }
                }
            } catch {
                failure = error
            }
            let outcome = failure
            loop.execute {
                let (handler, context) = bound.value
                handler.subscribeEnded(stream, failure: outcome, connection: connection, context: context)
            }
        }
    }

    private func subscribeEnded(
        _ stream: StreamName, failure: ClientProtocolError?, connection: GatewayConnection, context: ChannelHandlerContext
    ) {
        isRunningOp = false
        if let failure {
            reply(failure, to: connection)
        } else {
            subscriptions.insert(stream)
        }
        if isChannelInactive {
            leaveHub(connection)
            return
        }
        while !isRunningOp, !waiting.isEmpty, connection.isOpen {
            handle(waiting.removeFirst(), connection: connection, context: context)
        }
    }

    private func reply(_ error: ClientProtocolError, to connection: GatewayConnection) {
        GatewayMetrics.add(metrics.clientErrors)
        hub.send(error, to: connection)
    }

    // MARK: Ping and close

    /// Every `pingInterval`: a client that did not answer the last ping is closed.
    private func ping(context: ChannelHandlerContext) {
        guard !isCloseFrameSent else { return }
        if isAwaitingPong {
            connection?.requestClose(CloseReason(code: .goingAway, text: "ping timeout"))
            return
        }
        isAwaitingPong = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: nil)
    }

    private func closeRequested(_ reason: CloseReason, context: ChannelHandlerContext) {
        guard !isChannelInactive, !isCloseFrameSent else { return }
        logger.debug(
            "Closing WebSocket",
            metadata: ["ws.connection.id": "\(connection?.id.description ?? "-")", "ws.close.reason": "\(reason.text)"])
        sendClose(context: context, code: reason.code, reason: reason.text)
    }

    /// Writes the close frame and cuts the socket if the client does not answer in time.
    private func sendClose(context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String?) {
        guard !isCloseFrameSent else { return }
        isCloseFrameSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        data.write(webSocketErrorCode: code)
        if let reason { data.writeString(reason) }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        let channel = context.channel
        cutTask = context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }
}
