import Bus
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Payloads
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The gateway as a `Service`: relays the bus's streams to WebSocket (`/ws`) and SSE
/// (`/events`) clients, with `/health`, `/ready` and `/metrics`.
///
/// `run()` runs the hub and the HTTP server as children. On graceful shutdown it stops admitting
/// connections, closes every socket with 1001 "going away" (SSE streams end), waits for them
/// (at most `drainTimeout`), then stops the server.
public struct Gateway<Source: SubscriberBus>: Service {
    let bus: Source
    let configuration: GatewayConfiguration
    let metrics: GatewayMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    let onListening: @Sendable (Int) async -> Void
    let extras: GatewayOperationsExtras

    /// - Parameters:
    ///   - now: the wall clock tokens are checked against.
    ///   - extras: what the rest of the process adds to `/metrics` and `/ready` (standalone's worker).
    ///   - onListening: called with the bound port once the server accepts connections.
    public init(
        bus: Source,
        configuration: GatewayConfiguration,
        metrics: GatewayMetrics = GatewayMetrics(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        extras: GatewayOperationsExtras = .none,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.bus = bus
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.extras = extras
        self.onListening = onListening
    }

    /// Checks the configuration without starting anything: the errors `run()` would throw first.
    public static func validate(_ configuration: GatewayConfiguration) async throws {
        if case .any = configuration.allowedOrigins.backing, !configuration.auth.mode.isAnonymous {
            throw GatewayError.invalidConfiguration(
                "'*' cannot allow every origin while clients send credentials: list the origins, or run --allow-anonymous",
                configKey: "GATEWAY_ALLOWED_ORIGINS")
        }
        _ = try await GatewayAuthenticator(auth: configuration.auth, now: { Date() })
    }

    public func run() async throws {
        try await Self.validate(configuration)
        let authenticator = try await GatewayAuthenticator(auth: configuration.auth, now: now)
        let hub = GatewayHub(bus: bus, configuration: configuration, metrics: metrics, logger: logger)
        let origins = OriginPolicy(allowed: configuration.allowedOrigins)
        let hosts = HostPolicy(configuration: configuration)
        let engine = EngineIOServer(hub: hub, authenticator: authenticator, origins: origins, now: now, logger: logger)
        let router = makeRouter(hub: hub, authenticator: authenticator, origins: origins, hosts: hosts, engine: engine)
        let logger = self.logger
        let onListening = self.onListening
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                GatewayWebSocketChannel(
                    responder: responder, http1: .init(idleTimeout: TimeAmount(configuration.limits.keepAliveIdleTimeout)),
                    maxFrameSize: configuration.limits.maxInboundFrameBytes,
                    requestHeadTimeout: configuration.limits.requestHeadTimeout
                ) { request, channel, logger in
                    await upgradeDecision(
                        request: request, channel: channel, logger: logger, hub: hub, authenticator: authenticator,
                        origins: origins, hosts: hosts, engine: engine)
                }
            },
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "aws-realtime-gateway",
                backlog: 4096
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("Gateway listening", metadata: ["gateway.port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
        // The server's group follows the gateway's graceful shutdown and shuts its services down
        // last to first: the drain (sockets closed with 1001), then the server (whose own
        // shutdown would close WebSockets with 1000, and closes idle connections).
        let drain = GatewayDrain(hub: hub, timeout: configuration.drainTimeout, logger: logger)
        let server = ServiceGroup(services: [app, drain], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await hub.run() }
            group.addTask { await engine.run() }
            // The server ending (drained, cancelled or failed) ends the gateway.
            defer { group.cancelAll() }
            try await server.run()
        }
    }

    // MARK: WebSocket upgrade

    private func upgradeDecision(
        request: HTTPRequest, channel: any Channel, logger: Logger, hub: GatewayHub<Source>, authenticator: GatewayAuthenticator,
        origins: OriginPolicy, hosts: HostPolicy, engine: EngineIOServer<Source>
    ) async -> GatewayUpgradeDecision {
        let metrics = self.metrics
        let (path, query) = Self.split(request.path ?? "/")
        if let reason = hosts.refusal(authority: request.authority) {
            GatewayMetrics.add(metrics.hostRefusals)
            return .refuse(.misdirectedRequest, reason: reason)
        }
        if configuration.socketIO.isEnabled, Self.isSocketIOPath(path) {
            return engine.upgradeDecision(request: request, query: query, channel: channel)
        }
        guard path == "/ws" else { return .refuse(.notFound, reason: "WebSocket endpoints are /ws and /socket.io/") }
        guard origins.allows(origin: request.headerFields[.origin], host: request.authority) else {
            GatewayMetrics.add(metrics.originRefusals)
            return .refuse(.forbidden, reason: "origin not allowed")
        }
        let token = GatewayAuthenticator.token(authorization: request.headerFields[.authorization], query: query)
        let grant: GatewayGrant
        switch await authenticator.authenticate(token: token) {
        case .success(let value):
            grant = value
        case .failure(let failure):
            GatewayMetrics.add(metrics.authFailures)
            logger.info("WebSocket refused", metadata: ["gateway.auth.failure": "\(failure.reason)"])
            return .refuse(.unauthorized, reason: failure.reason)
        }
        guard hub.hasCapacity else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return .refuse(.serviceUnavailable, reason: "connection limit reached; try again later")
        }
        let tokenLifetime = authenticator.remaining(grant)
        let limits = configuration.limits
        return .serveInPipeline {
            WebSocketChannelHandler(
                endpoint: ClientOpsEndpoint(hub: hub, grant: grant, tokenLifetime: tokenLifetime, logger: logger),
                pingInterval: limits.pingInterval, maxMessageBytes: limits.maxInboundFrameBytes,
                controlFramesPerSecond: limits.inboundMessagesPerSecond, logger: logger)
        }
    }

    static func isSocketIOPath(_ path: String) -> Bool { path == "/socket.io/" || path == "/socket.io" }

    static func split(_ target: String) -> (path: String, query: String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    // MARK: HTTP routes

    private func makeRouter(
        hub: GatewayHub<Source>, authenticator: GatewayAuthenticator, origins: OriginPolicy, hosts: HostPolicy,
        engine: EngineIOServer<Source>
    ) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        let metrics = self.metrics
        let logger = self.logger
        if hosts.isChecking { router.add(middleware: HostCheckMiddleware(policy: hosts, metrics: metrics)) }
        if configuration.isLivePageEnabled {
            router.get("/") { request, _ in LivePage.response(to: request, requiresToken: !authenticator.isAnonymous) }
        }
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        let extras = self.extras
        router.get("/ready") { _, _ in
            var problems = hub.isReady ? [] : ["the gateway is not subscribed in the bus"]
            problems += await extras.readinessProblems()
            return Response(
                status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: problems.isEmpty ? "ready\n" : "not ready: " + problems.joined(separator: "; ") + "\n")))
        }
        router.get("/metrics") { _, _ in
            let text =
                metrics.render(
                    subscriptions: hub.subscriptionCounts(), busSubscribed: hub.busSubscribedStreams(),
                    isBusConnected: hub.bus.isConnected, pendingHandshakes: hub.pendingHandshakeCount,
                    busDrops: hub.bus.droppedMessages) + extras.metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/ws") { _, _ in
            Response(
                status: .upgradeRequired, headers: [.upgrade: "websocket"],
                body: .init(byteBuffer: ByteBuffer(string: "WebSocket only\n")))
        }
        router.get("/events") { request, context -> Response in
            let origin = request.headers[.origin]
            func refuse(_ status: HTTPResponse.Status, _ reason: String) -> Response {
                Response(
                    status: status, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
            }
            guard origins.allows(origin: origin, host: request.head.authority) else {
                GatewayMetrics.add(metrics.originRefusals)
                return refuse(.forbidden, "origin not allowed")
            }
            let query = request.uri.query
            let token = GatewayAuthenticator.token(authorization: request.headers[.authorization], query: query)
            let grant: GatewayGrant
            switch await authenticator.authenticate(token: token) {
            case .success(let value):
                grant = value
            case .failure(let failure):
                GatewayMetrics.add(metrics.authFailures)
                return refuse(.unauthorized, failure.reason)
            }
            let names = (GatewayAuthenticator.queryParameter("streams", in: query) ?? "")
                .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { return refuse(.badRequest, "name the streams: /events?streams=aws-metrics,aws-costs") }
            var streams: [StreamName] = []
            for name in names {
                guard let stream = StreamName(rawValue: name) else {
                    return refuse(.badRequest, ClientProtocolError.unknownStream(name).message)
                }
                guard grant.allows(stream) else { return refuse(.forbidden, ClientProtocolError.forbidden(stream).message) }
                if !streams.contains(stream) { streams.append(stream) }
            }
            // `accounts=` and `regions=`: comma lists, within what the token allows.
            let requested = TargetFilter.request(
                accounts: TargetFilter.split(GatewayAuthenticator.queryParameter("accounts", in: query)),
                regions: TargetFilter.split(GatewayAuthenticator.queryParameter("regions", in: query)))
            let targets: TargetFilter
            switch requested.flatMap({ grant.targets.narrowed(by: $0) }) {
            case .success(let value):
                targets = value
            case .failure(let error):
                return refuse(error.code == "forbidden" ? .forbidden : .badRequest, error.message)
            }
            guard streams.count <= configuration.limits.maxSubscriptionsPerConnection else {
                return refuse(
                    .badRequest,
                    ClientProtocolError.tooManySubscriptions(configuration.limits.maxSubscriptionsPerConnection).message)
            }
            // Either form of the SSE event id (`StreamPositions`): positions per stream, or one
            // message id for all. An empty one (a client that has seen no event) resumes nothing.
            let lastEventID =
                request.headers.first { $0.name.canonicalName == "last-event-id" }?.value
                ?? GatewayAuthenticator.queryParameter("since", in: query)
            var resumePoint: StreamPositions.ResumePoint?
            if let lastEventID, !lastEventID.isEmpty {
                guard let point = StreamPositions.resumePoint(from: lastEventID) else {
                    return refuse(.badRequest, ClientProtocolError.badLastEventID(lastEventID).message)
                }
                resumePoint = point
            }
            guard hub.hasCapacity else {
                GatewayMetrics.add(metrics.connectionLimitRefusals)
                return refuse(.serviceUnavailable, "connection limit reached; try again later")
            }
            var headers: HTTPFields = [
                .contentType: "text/event-stream",
                .cacheControl: "no-cache",
            ]
            if let allow = origins.allowOriginHeader(for: origin) {
                headers[.accessControlAllowOrigin] = allow
                if allow != "*" { headers[.accessControlAllowCredentials] = "true" }
            }
            let session = ServerSentEventsSession(
                hub: hub, streams: streams, targets: targets, resumePoint: resumePoint,
                tokenLifetime: authenticator.remaining(grant),
                channel: context.channel, logger: logger)
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await session.run(writer: &writer)
                    try await writer.finish(nil)
                })
        }
        if configuration.socketIO.isEnabled { addSocketIORoutes(to: router, engine: engine, origins: origins) }
        return router
    }

    /// Engine.IO long-polling at `/socket.io/` (GET pulls, POST pushes), with the CORS answers a
    /// browser on another allowed origin needs.
    private func addSocketIORoutes(
        to router: Router<GatewayRequestContext>, engine: EngineIOServer<Source>, origins: OriginPolicy
    ) {
        let maxPayload = configuration.socketIO.maxPayload
        let handler: @Sendable (Request, GatewayRequestContext) async throws -> Response = { request, context in
            let origin = request.headers[.origin]
            var headers: HTTPFields = [:]
            if origins.allows(origin: origin, host: request.head.authority), let allow = origins.allowOriginHeader(for: origin) {
                headers[.accessControlAllowOrigin] = allow
                if allow != "*" { headers[.accessControlAllowCredentials] = "true" }
            }
            if request.method == .options {
                headers[.accessControlAllowMethods] = "GET, POST"
                headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "content-type"
                headers[.accessControlMaxAge] = "86400"
                return Response(status: .noContent, headers: headers)
            }
            let reply = await engine.handlePolling(
                method: request.method, query: request.uri.query, origin: origin, host: request.head.authority,
                authorization: request.headers[.authorization], address: ClientAddress(context.remoteAddress),
                body: { try await request.body.collect(upTo: maxPayload) })
            headers[.contentType] =
                reply.isError ? "application/json" : (request.method == .post ? "text/html" : "text/plain; charset=UTF-8")
            headers[.cacheControl] = "no-store"
            return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: reply.body))
        }
        // The router matches "/socket.io/" (what clients request) and "/socket.io" alike. Methods
        // other than GET, POST and OPTIONS reach the endpoint too, which refuses them as the
        // reference server does (a handshake: 400 "Bad handshake method").
        for method in [HTTPRequest.Method.get, .post, .options, .put, .delete, .patch] {
            router.on("/socket.io", method: method, use: handler)
        }
    }
}
