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
        let authorization = ClientAuthorization(origins: origins, authenticator: authenticator, metrics: metrics)
        let router = makeRouter(hub: hub, authorization: authorization, hosts: hosts, engine: engine)
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
                        request: request, channel: channel, logger: logger, hub: hub, authorization: authorization,
                        hosts: hosts, engine: engine)
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
        request: HTTPRequest, channel: any Channel, logger: Logger, hub: GatewayHub<Source>, authorization: ClientAuthorization,
        hosts: HostPolicy, engine: EngineIOServer<Source>
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
        let checked = await authorization.check(
            origin: request.headerFields[.origin], host: request.authority,
            authorization: request.headerFields[.authorization], query: query)
        let grant: GatewayGrant
        switch checked {
        case .success(let value):
            grant = value
        case .failure(let refusal):
            if refusal.status == .unauthorized {
                logger.info("WebSocket refused", metadata: ["gateway.auth.failure": "\(refusal.reason)"])
            }
            return .refuse(refusal.status, reason: refusal.reason)
        }
        guard hub.hasCapacity else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return .refuse(.serviceUnavailable, reason: "connection limit reached; try again later")
        }
        let tokenLifetime = authorization.authenticator.remaining(grant)
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

    /// The routes, each part a route collection: the live page and `/ws`'s plain GET, the
    /// operations endpoints, `/events` behind ``ClientAuthorizationMiddleware``, and Engine.IO
    /// long-polling behind ``CORSMiddleware``; every one behind ``HostCheckMiddleware`` when the
    /// gateway checks `Host`.
    private func makeRouter(
        hub: GatewayHub<Source>, authorization: ClientAuthorization, hosts: HostPolicy, engine: EngineIOServer<Source>
    ) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        if hosts.isChecking { router.add(middleware: HostCheckMiddleware(policy: hosts, metrics: metrics)) }
        router.addRoutes(
            LivePageRoutes(
                isLivePageEnabled: configuration.isLivePageEnabled, requiresToken: !authorization.authenticator.isAnonymous
            ).collection)
        router.addRoutes(OperationsRoutes(hub: hub, metrics: metrics, extras: extras).collection)
        router.addRoutes(
            ServerSentEventsRoutes(
                hub: hub, authorization: authorization, maxSubscriptions: configuration.limits.maxSubscriptionsPerConnection,
                logger: logger
            ).collection)
        if configuration.socketIO.isEnabled {
            router.addRoutes(
                SocketIORoutes(engine: engine, origins: authorization.origins, maxPayload: configuration.socketIO.maxPayload)
                    .collection)
        }
        return router
    }
}
