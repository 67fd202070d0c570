import Bus
import Logging
import NIOCore
import Payloads

/// `/ws`: a client's JSON ops (`subscribe`, `unsubscribe`, `ping`) over a pipeline-served
/// WebSocket.
///
/// Ops run in the order they arrive: a subscribe (which may read the bus) continues in a
/// short-lived task while later messages wait here, bounded. Inbound messages are rate-limited;
/// the token's expiry is a timer on the socket's loop.
final class ClientOpsEndpoint<Source: SubscriberBus>: WebSocketEndpoint {
    /// Messages that may wait while a subscribe runs; more closes the connection.
    static var maxWaitingMessages: Int { 32 }

    private let hub: GatewayHub<Source>
    private let tokenLifetime: Duration?
    private let logger: Logger
    private let clock = ContinuousClock()

    private var connection: GatewayConnection?
    private var isAdmitted = false
    private var subscriptions: ClientSubscriptions
    private var limiter: InboundRateLimiter
    /// Messages that arrived while an op ran in a task (nil: a binary one), handled in order
    /// when it ends.
    private var waiting: [ByteBuffer?] = []
    private var isRunningOp = false
    private var isClosed = false

    private var metrics: GatewayMetrics { hub.metrics }

    init(hub: GatewayHub<Source>, grant: GatewayGrant, tokenLifetime: Duration?, logger: Logger) {
        self.hub = hub
        self.subscriptions = ClientSubscriptions(grant: grant, limit: hub.configuration.limits.maxSubscriptionsPerConnection)
        self.tokenLifetime = tokenLifetime
        self.logger = logger
        self.limiter = InboundRateLimiter(
            messagesPerSecond: hub.configuration.limits.inboundMessagesPerSecond, now: ContinuousClock().now)
    }

    // MARK: Lifecycle

    func opened(_ link: WebSocketLink) {
        let connection = GatewayConnection(
            format: .webSocket, delivery: .channel(link.channel), limits: hub.connectionLimits, metrics: metrics)
        guard hub.admit(connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            link.close(CloseReason(code: .unknown(1013), text: "connection limit reached; try again later"))
            return
        }
        self.connection = connection
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
    private func handle(_ text: ByteBuffer?, connection: GatewayConnection, link: WebSocketLink) {
        let parsed: Result<ClientMessage, ClientProtocolError> = text.map(ClientMessage.parse) ?? .failure(.binaryFrame)
        switch parsed {
        case .failure(let error):
            reply(error, to: connection)
        case .success(.ping):
            connection.send(ControlMessage.pong)
        case .success(.unsubscribe(let stream)):
            if hub.unsubscribe(connection, from: stream) {
                subscriptions.unsubscribed(stream)
                connection.send(ControlMessage.unsubscribed(stream))
            } else {
                reply(.notSubscribed(stream), to: connection)
            }
        case .success(.subscribe(let stream, let since, let requested)):
            // What the op asks for, within the token's accounts and regions.
            switch subscriptions.admit(stream, requesting: requested) {
            case .failure(let error):
                reply(error, to: connection)
            case .success(let targets):
                subscribe(connection, to: stream, since: since, targets: targets, link: link)
            }
        }
    }

    private func subscribe(
        _ connection: GatewayConnection, to stream: StreamName, since: BusMessageID?, targets: TargetFilter?,
        link: WebSocketLink
    ) {
        isRunningOp = true
        let hub = self.hub
        let loop = link.eventLoop
        let bound = NIOLoopBound((endpoint: self, link: link), eventLoop: loop)
        Task {
            var failure: ClientProtocolError?
            do throws(ClientProtocolError) {
                try await hub.subscribe(
                    connection, to: stream, since: since, targets: targets,
                    began: { snapshot in
                        let data = snapshot?.data ?? []
                        connection.send(
                            ControlMessage.subscribed(
                                stream, snapshot: snapshot?.newestData?.envelope,
                                snapshots: data.count > 1 ? data.map(\.envelope) : nil))
                        // A target that is not live: its state envelope follows, as it came live.
                        for state in snapshot?.states ?? [] { connection.send(state.envelope) }
                    },
                    render: \.envelope)
            } catch {
                failure = error
            }
            let outcome = failure
            loop.execute {
                let (endpoint, link) = bound.value
                endpoint.subscribeEnded(stream, failure: outcome, connection: connection, link: link)
            }
        }
    }

    private func subscribeEnded(
        _ stream: StreamName, failure: ClientProtocolError?, connection: GatewayConnection, link: WebSocketLink
    ) {
        isRunningOp = false
        if let failure {
            reply(failure, to: connection)
        } else {
            subscriptions.subscribed(stream)
        }
        if isClosed {
            leaveHub(connection)
            return
        }
        while !isRunningOp, !waiting.isEmpty, connection.isOpen {
            handle(waiting.removeFirst(), connection: connection, link: link)
        }
    }

    private func reply(_ error: ClientProtocolError, to connection: GatewayConnection) {
        GatewayMetrics.add(metrics.clientErrors)
        hub.send(error, to: connection)
    }
}
