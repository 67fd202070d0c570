import Bus
import HTTPTypes
import Logging
import NIOCore
import NIOWebSocket
import Payloads
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Socket.IO endpoint, `/socket.io/`: Engine.IO v4 sessions over HTTP long-polling and
/// WebSocket, with the upgrade from one to the other.
///
/// Sessions live in a table by `sid` while they run (no task each: their timers run on event
/// loops, their inbound packets in short-lived tasks). A long-polling session is bound to this process, so a load balancer must keep a client on one
/// gateway (sticky sessions) unless the client uses `transports: ["websocket"]`.
final class EngineIOServer<Source: SubscriberBus>: Sendable {
    let hub: GatewayHub<Source>
    let authenticator: GatewayAuthenticator
    let origins: OriginPolicy
    let now: @Sendable () -> Date
    let logger: Logger
    private let sessions = Mutex<[String: EngineIOSession<Source>]>([:])

    init(
        hub: GatewayHub<Source>, authenticator: GatewayAuthenticator, origins: OriginPolicy, now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.hub = hub
        self.authenticator = authenticator
        self.origins = origins
        self.now = now
        self.logger = logger
    }

    private var settings: GatewayConfiguration.SocketIO { hub.configuration.socketIO }
    private var metrics: GatewayMetrics { hub.metrics }

    /// Waits until cancelled (the gateway stopping), then closes the sessions still open.
    func run() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Never.self)
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            continuation.finish()
        }
        let open = sessions.withLock { Array($0.values) }
        for session in open { session.close(.goingAway) }
    }

    /// Creates, admits and starts a session. It is admitted as pending (against the
    /// pending-handshake budgets, not the connection limit) until its namespace CONNECT succeeds,
    /// and is closed after `connectTimeout` if none does.
    func start(
        delivery: ClientOutbox.Delivery, handshakeToken: String?, address: ClientAddress
    ) -> Result<EngineIOSession<Source>, EngineIOError> {
        let session = EngineIOSession(
            delivery: delivery, hub: hub, authenticator: authenticator, handshakeToken: handshakeToken, now: now,
            logger: logger)
        if let refusal = hub.admitPending(session.connection, from: address) {
            return .failure(refused(refusal, address: address))
        }
        GatewayMetrics.add(metrics.socketIOConnections)
        sessions.withLock { $0[session.id] = session }
        let metrics = self.metrics
        session.start {
            self.sessions.withLock { _ = $0.removeValue(forKey: session.id) }
            GatewayMetrics.add(metrics.socketIOConnections, -1)
        }
        return .success(session)
    }

    /// Counts and logs a refused handshake; the answer the client gets.
    private func refused(_ refusal: GatewayAdmission.Refusal, address: ClientAddress) -> EngineIOError {
        switch refusal {
        case .draining, .connectionLimit:
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return .atCapacity
        case .pendingLimit, .pendingLimitPerAddress:
            GatewayMetrics.add(metrics.handshakeBudgetRefusals)
            let perAddress = refusal == .pendingLimitPerAddress
            logger.debug(
                "Engine.IO handshake refused: pending-handshake budget spent",
                metadata: ["gateway.client.address": "\(address)", "gateway.budget": "\(perAddress ? "per-address" : "total")"])
            return perAddress ? .tooManyPendingFromAddress : .tooManyPending
        }
    }
    func session(_ id: String) -> EngineIOSession<Source>? { sessions.withLock { $0[id] } }

    // MARK: Requests

    /// The parts of a `/socket.io/` request the protocol reads.
    struct Query {
        var eio: String?
        var transport: String?
        var sid: String?
        var token: String?

        init(_ query: String?) {
            eio = GatewayAuthenticator.queryParameter("EIO", in: query)
            transport = GatewayAuthenticator.queryParameter("transport", in: query)
            sid = GatewayAuthenticator.queryParameter("sid", in: query)
            token = GatewayAuthenticator.queryParameter("token", in: query)
        }
    }

    /// Checks what every request must carry. The reference server (socketio/socket.io,
    /// `packages/engine.io/lib/server.ts`, `verify` then `handshake`) checks the transport, the
    /// session id, that a handshake is a GET, then the protocol version; the origin is our
    /// addition (the reference leaves it to `allowRequest`, refused with 403 code 4).
    private func verify(
        _ query: Query, method: HTTPRequest.Method, origin: String?, host: String?, expectedTransport: String?
    ) -> EngineIOError? {
        guard let transport = query.transport, ["polling", "websocket"].contains(transport) else { return .unknownTransport }
        if let expectedTransport, transport != expectedTransport { return .badRequest }
        // A handshake is GET only ("Bad handshake method", code 2, HTTP 400).
        if query.sid == nil, method != .get { return .badHandshakeMethod }
        guard query.eio == "4" else { return .unsupportedProtocolVersion }
        guard origins.allows(origin: origin, host: host) else {
            GatewayMetrics.add(metrics.originRefusals)
            return .forbidden
        }
        return nil
    }

    /// A long-polling request (GET or POST; any other method is refused as the reference server
    /// does); the handshake when it has no `sid`.
    func handlePolling(
        method: HTTPRequest.Method, query: String?, origin: String?, host: String?, authorization: String?,
        address: ClientAddress, body: () async throws -> ByteBuffer
    ) async -> EngineIOSession<Source>.PollingReply {
        let query = Query(query)
        if let error = verify(query, method: method, origin: origin, host: host, expectedTransport: "polling") {
            return .error(error)
        }
        guard let sid = query.sid else {
            let token = GatewayAuthenticator.token(authorization: authorization, query: nil) ?? query.token
            switch start(delivery: .pull, handshakeToken: token, address: address) {
            case .success(let session):
                return .init(status: 200, body: session.openPacket(upgrades: ["websocket"]), isError: false)
            case .failure(let error):
                return .error(error)
            }
        }
        guard let session = session(sid), session.isReachable else {
            return .error(.unknownSession)
        }
        switch method {
        case .get:
            return await session.poll()
        case .post:
            let payload: ByteBuffer
            do {
                payload = try await body()
            } catch {
                session.close(.protocolError("long-polling body larger than maxPayload (\(settings.maxPayload) bytes)"))
                return .error(.payloadTooLarge)
            }
            return session.post(payload)
        default:
            return .error(.badRequest)
        }
    }

    /// Whether a WebSocket request to `/socket.io/` may upgrade, and what then serves it.
    func upgradeDecision(request: HTTPRequest, query rawQuery: String?, channel: any Channel) -> GatewayUpgradeDecision {
        let query = Query(rawQuery)
        if let error = verify(
            query, method: .get, origin: request.headerFields[.origin], host: request.authority, expectedTransport: "websocket")
        {
            return .refuse(HTTPResponse.Status(code: error.status), reason: error.message)
        }
        if let sid = query.sid {
            guard let session = session(sid), session.connection.isOpen else {
                return .refuse(.badRequest, reason: EngineIOError.unknownSession.message)
            }
            guard session.transport == .polling else { return .refuse(.badRequest, reason: EngineIOError.badRequest.message) }
            return serveInPipeline(.upgrade(session))
        }
        // Checked again when the session starts (after the upgrade): this spares the upgrade.
        let address = ClientAddress(channel.remoteAddress)
        if let refusal = hub.pendingRefusal(from: address) {
            let error = refused(refusal, address: address)
            return .refuse(HTTPResponse.Status(code: error.status), reason: error.message)
        }
        let token = GatewayAuthenticator.token(authorization: request.headerFields[.authorization], query: nil) ?? query.token
        return serveInPipeline(.newSession(handshakeToken: token, address: address))
    }

    private func serveInPipeline(_ start: EngineIOWebSocketEndpoint<Source>.Start) -> GatewayUpgradeDecision {
        let limits = hub.configuration.limits
        let logger = self.logger
        return .serveInPipeline {
            WebSocketChannelHandler(
                endpoint: EngineIOWebSocketEndpoint(server: self, start: start), pingInterval: limits.pingInterval,
                maxMessageBytes: limits.maxInboundFrameBytes, controlFramesPerSecond: limits.inboundMessagesPerSecond,
                logger: logger)
        }
    }
}
