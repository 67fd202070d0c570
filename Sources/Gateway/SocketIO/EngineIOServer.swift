import Bus
import HTTPTypes
import HummingbirdWebSocket
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
/// Sessions live in a table by `sid` while they run; `run()` runs each one as a child task.
/// A long-polling session is bound to this process, so a load balancer must keep a client on one
/// gateway (sticky sessions) unless the client uses `transports: ["websocket"]`.
final class EngineIOServer<Bus: SubscriberBus>: Sendable {
    let hub: GatewayHub<Bus>
    let authenticator: GatewayAuthenticator
    let origins: OriginPolicy
    let now: @Sendable () -> Date
    let logger: Logger
    private let sessions = Mutex<[String: EngineIOSession<Bus>]>([:])
    private let started: AsyncStream<EngineIOSession<Bus>>
    private let startedContinuation: AsyncStream<EngineIOSession<Bus>>.Continuation

    init(
        hub: GatewayHub<Bus>, authenticator: GatewayAuthenticator, origins: OriginPolicy, now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.hub = hub
        self.authenticator = authenticator
        self.origins = origins
        self.now = now
        self.logger = logger
        (started, startedContinuation) = AsyncStream.makeStream(of: EngineIOSession<Bus>.self)
    }

    private var settings: GatewayConfiguration.SocketIO { hub.configuration.socketIO }
    private var metrics: GatewayMetrics { hub.metrics }

    /// Runs every session started until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await session in started {
                group.addTask {
                    await session.run()
                    self.sessions.withLock { _ = $0.removeValue(forKey: session.id) }
                    GatewayMetrics.add(self.metrics.socketIOConnections, -1)
                }
            }
        }
    }

    /// Creates, admits and starts a session; nil at the connection limit.
    private func start(transport: GatewayConnection.Transport, handshakeToken: String?) -> EngineIOSession<Bus>? {
        let session = EngineIOSession(
            transport: transport, hub: hub, authenticator: authenticator, handshakeToken: handshakeToken, now: now,
            logger: logger)
        guard hub.admit(session.connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return nil
        }
        GatewayMetrics.add(metrics.socketIOConnections)
        sessions.withLock { $0[session.id] = session }
        startedContinuation.yield(session)
        return session
    }

    func session(_ id: String) -> EngineIOSession<Bus>? { sessions.withLock { $0[id] } }

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

    /// Checks what every request must carry, as the reference server does, in its order.
    private func verify(_ query: Query, origin: String?, host: String?, expectedTransport: String?) -> EngineIOError? {
        guard let transport = query.transport, ["polling", "websocket"].contains(transport) else { return .unknownTransport }
        if let expectedTransport, transport != expectedTransport { return .badRequest }
        guard query.eio == "4" else { return .unsupportedProtocolVersion }
        guard origins.allows(origin: origin, host: host) else {
            GatewayMetrics.add(metrics.originRefusals)
            return .forbidden
        }
        return nil
    }

    /// A long-polling request (GET or POST); the handshake when it has no `sid`.
    func handlePolling(
        method: HTTPRequest.Method, query: String?, origin: String?, host: String?, authorization: String?,
        body: () async throws -> ByteBuffer
    ) async -> EngineIOSession<Bus>.PollingReply {
        let query = Query(query)
        if let error = verify(query, origin: origin, host: host, expectedTransport: "polling") { return .error(error) }
        guard let sid = query.sid else {
            guard method == .get else { return .error(.badHandshakeMethod) }
            guard
                let session = start(
                    transport: .pull,
                    handshakeToken: GatewayAuthenticator.token(authorization: authorization, query: nil) ?? query.token)
            else { return .error(.atCapacity) }
            return .init(status: 200, body: session.openPacket(upgrades: ["websocket"]), isError: false)
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
            query, origin: request.headerFields[.origin], host: request.authority, expectedTransport: "websocket")
        {
            return .refuse(HTTPResponse.Status(code: error.status), reason: error.message)
        }
        if let sid = query.sid {
            guard let session = session(sid), session.connection.isOpen else {
                return .refuse(.badRequest, reason: EngineIOError.unknownSession.message)
            }
            guard session.transport == .polling else { return .refuse(.badRequest, reason: EngineIOError.badRequest.message) }
            return .upgrade { inbound, outbound, _ in
                await self.serveUpgrade(of: session, inbound: inbound, outbound: outbound, channel: channel)
            }
        }
        guard hub.hasCapacity else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return .refuse(.serviceUnavailable, reason: EngineIOError.atCapacity.message)
        }
        let token = GatewayAuthenticator.token(authorization: request.headerFields[.authorization], query: nil) ?? query.token
        return .upgrade { inbound, outbound, _ in
            guard let session = self.start(transport: .channel(channel), handshakeToken: token) else {
                try? await outbound.close(.unknown(1013), reason: "connection limit reached; try again later")
                return
            }
            session.connection.send(session.openPacket(upgrades: []))
            var messages = inbound.messages(maxSize: self.hub.configuration.limits.maxInboundFrameBytes).makeAsyncIterator()
            await self.serveWebSocket(session, messages: &messages, outbound: outbound, channel: channel)
        }
    }

    // MARK: WebSocket

    /// A WebSocket joining a long-polling session: `2probe` -> `3probe`, then `5`, then the
    /// session's transport. Anything else, or no `5` within `upgradeTimeout`, abandons the
    /// upgrade and the session stays on long-polling.
    private func serveUpgrade(
        of session: EngineIOSession<Bus>, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel
    ) async {
        // One iterator for the socket's life: the inbound stream can be iterated once.
        var iterator = inbound.messages(maxSize: hub.configuration.limits.maxInboundFrameBytes).makeAsyncIterator()
        let upgradeTimeout = settings.upgradeTimeout
        let upgraded: Bool = await withTaskGroup(of: Void.self) { group in
            // A probe that stalls is cut: its socket closes, which ends the reads below.
            group.addTask {
                try? await Task.sleep(for: upgradeTimeout)
                if !Task.isCancelled { channel.close(promise: nil) }
            }
            defer { group.cancelAll() }
            guard case .text("2probe") = try? await iterator.next(), session.beginUpgrade() else { return false }
            do {
                try await outbound.write(.text("3probe"))
            } catch {
                return false
            }
            guard case .text("5") = try? await iterator.next() else { return false }
            return true
        }
        guard upgraded else {
            session.abandonUpgrade()
            try? await outbound.close(.normalClosure, reason: "upgrade not completed")
            return
        }
        session.completeUpgrade(to: channel)
        await serveWebSocket(session, messages: &iterator, outbound: outbound, channel: channel)
    }

    /// Sends the close frame; a socket that does not take it within two seconds is closed.
    private static func close(outbound: WebSocketOutboundWriter, channel: any Channel, reason: CloseReason) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await outbound.close(reason.code, reason: reason.text) }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                if !Task.isCancelled { channel.close(promise: nil) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Reads a session's WebSocket until it closes; closes it when the session ends.
    private func serveWebSocket(
        _ session: EngineIOSession<Bus>, messages: inout WebSocketInboundMessageStream.AsyncIterator,
        outbound: WebSocketOutboundWriter, channel: any Channel
    ) async {
        let connection = session.connection
        let logger = session.logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                guard let reason = await connection.closeRequested() else { return }
                logger.debug("Closing Socket.IO WebSocket", metadata: ["ws.close.reason": "\(reason.text)"])
                await Self.close(outbound: outbound, channel: channel, reason: reason)
            }
            do {
                while let message = try await messages.next() {
                    let open: Bool
                    switch message {
                    case .text(let text): open = session.receive(text: text[...])
                    case .binary: open = session.receiveBinary()
                    }
                    if !open { break }
                }
            } catch {
                logger.debug("Socket.IO WebSocket read failed", metadata: ["error": "\(error)"])
            }
            // The client went away (or the session ended): the session is over either way, and
            // a close the gateway asked for goes out before the socket is released.
            if !connection.isCloseRequested { session.close(.clientClosed) }
            _ = await group.next()
            group.cancelAll()
        }
    }
}
