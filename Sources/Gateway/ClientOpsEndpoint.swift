import Bus
import Logging
import NIOCore
import Payloads

/// `/ws`: a client's JSON ops (`subscribe`, `unsubscribe`, `ping`) over a pipeline-served
/// WebSocket, turned into ``ClientSession`` operations and answered with ``ClientOpsFrames``.
///
/// Ops run in the order they arrive: a subscribe (which may read the bus) continues in a
/// short-lived task, which holds the session until it ends, while later messages wait here,
/// bounded. Inbound messages are rate-limited; the token's expiry is a timer on the socket's loop.
final class ClientOpsEndpoint<Source: SubscriberBus>: WebSocketEndpoint {
    /// Messages that may wait while a subscribe runs; more closes the connection.
    static var maxWaitingMessages: Int { 32 }

    private let hub: GatewayHub<Source>
    private let grant: GatewayGrant
    private let tokenLifetime: Duration?
    private let logger: Logger
    private let clock = ContinuousClock()

    /// Nil before the socket opens, and while a subscribe's task holds it.
    private var session: ClientSession<Source>?
    private var connection: ClientOutbox?
    private var isAdmitted = false
    private var limiter: InboundRateLimiter
    private var frames = ClientOpsFrames()
    /// Messages that arrived while an op ran in a task (nil: a binary one), handled in order
    /// when it ends.
    private var waiting: [ByteBuffer?] = []
    private var isRunningOp = false
    private var isClosed = false

    private var metrics: GatewayMetrics { hub.metrics }

    init(hub: GatewayHub<Source>, grant: GatewayGrant, tokenLifetime: Duration?, logger: Logger) {
        self.hub = hub
        self.grant = grant
        self.tokenLifetime = tokenLifetime
        self.logger = logger
        self.limiter = InboundRateLimiter(
            messagesPerSecond: hub.configuration.limits.inboundMessagesPerSecond, now: ContinuousClock().now)
    }

    // MARK: Lifecycle

    func opened(_ link: WebSocketLink) {
        let connection = ClientOutbox(
            format: .webSocket, delivery: .channel(link.channel), limits: hub.connectionLimits, metrics: metrics)
        guard hub.admit(connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            link.close(CloseReason(code: .unknown(1013), text: "connection limit reached; try again later"))
            return
        }
        self.connection = connection
        session = ClientSession(hub: hub, connection: connection, grant: grant)
        isAdmitted = true
        GatewayMetrics.add(metrics.webSocketConnections)
        logger.debug("WebSocket connected", metadata: ["ws.connection.id": "\(connection.id)"])
        link.follow(connection)
        if let tokenLifetime {
            // Cancelled by the connection itself when it closes first (`closed()` closes it).
            connection.closeWhenTokenExpires(in: tokenLifetime, on: link.eventLoop, metrics: metrics)
        }
    }

    /// The connection closed and (unless an op still holds it; that op removes it when it ends)
    /// forgotten by the hub.
    func closed() {
        isClosed = true
        waiting = []
        guard let connection else { return }
        connection.requestClose(.clientClosed)
        if !isRunningOp { leaveHub(connection) }
    }

    private func leaveHub(_ connection: ClientOutbox) {
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

    // MARK: Messages

    func received(_ message: WebSocketMessage, _ link: WebSocketLink) {
        guard let connection, connection.isOpen else { return }
        switch limiter.admit(at: clock.now) {
        case .accepted:
            break
        case .refusedWithWarning:
            GatewayMetrics.add(metrics.rateLimited)
            reply(.rateLimited, to: connection)
            return
        case .refused:
            GatewayMetrics.add(metrics.rateLimited)
            return
        case .refusedTooOften:
            GatewayMetrics.add(metrics.rateLimited)
            connection.requestClose(.rateLimited)
            return
        }
        let text: ByteBuffer?
        if case .text(let data) = message { text = data } else { text = nil }
        if isRunningOp {
            guard waiting.count < Self.maxWaitingMessages else {
                connection.requestClose(CloseReason(code: .policyViolation, text: "too many messages waiting"))
                return
            }
            waiting.append(text)
            return
        }
        handle(text, connection: connection, link: link)
    }

    /// Handles one message; a subscribe continues in a task and the waiting ones follow it.
    private func handle(_ text: ByteBuffer?, connection: ClientOutbox, link: WebSocketLink) {
        guard var session else { return }
        let parsed: Result<ClientMessage, ClientProtocolError> = text.map(ClientMessage.parse) ?? .failure(.binaryFrame)
        switch parsed {
        case .failure(let error):
            session.refuse(error, frames: &frames)
        case .success(.ping):
            connection.send(ControlMessage.pong)
        case .success(.unsubscribe(let stream)):
            session.unsubscribe(stream, frames: &frames)
            self.session = session
        case .success(.subscribe(let stream, let since, let requested)):
            subscribe(session, to: stream, since: since, requesting: requested, link: link)
        }
    }

    /// Runs the subscribe in a task that holds the session, and takes it back on the loop.
    private func subscribe(
        _ session: ClientSession<Source>, to stream: StreamName, since: BusMessageID?, requesting requested: TargetFilter,
        link: WebSocketLink
    ) {
        isRunningOp = true
        self.session = nil
        let loop = link.eventLoop
        let bound = NIOLoopBound((endpoint: self, link: link), eventLoop: loop)
        Task {
            var session = session
            var frames = ClientOpsFrames()
            await session.subscribe(stream, since: since, requesting: requested, frames: &frames)
            let held = session
            loop.execute {
                let (endpoint, link) = bound.value
                endpoint.subscribeEnded(held, link: link)
            }
        }
    }

    private func subscribeEnded(_ session: ClientSession<Source>, link: WebSocketLink) {
        isRunningOp = false
        self.session = session
        let connection = session.connection
        if isClosed {
            leaveHub(connection)
            return
        }
        while !isRunningOp, !waiting.isEmpty, connection.isOpen {
            handle(waiting.removeFirst(), connection: connection, link: link)
        }
    }

    /// Tells the client it is over its rate, while a subscribe's task may hold the session.
    private func reply(_ error: ClientProtocolError, to connection: ClientOutbox) {
        frames.refuse(error, on: connection, metrics: metrics)
    }
}
