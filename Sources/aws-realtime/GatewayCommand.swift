import ArgumentParser
import Bus
import Foundation
import Gateway
import Logging
import Redis
import ServiceLifecycle

/// `aws-realtime gateway`: relays the bus's streams to WebSocket (`/ws`) and SSE (`/events`)
/// clients. Configuration comes from the environment (see `--help`).
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Relay the bus's streams (Redis by default) to WebSocket and SSE clients.",
        discussion: """
            Endpoints: /ws (WebSocket), /events?streams=a,b (SSE), /health, /ready, /metrics.
            Environment:
            \(GatewayConfiguration.environmentKeys.map { "  \($0.key): \($0.meaning)" }.joined(separator: "\n"))
              PORT: the port when --port is not given
              LOG_LEVEL: trace, debug, info (default), notice, warning, error or critical
              LOG_FORMAT: json or text (default: json when standard error is not a terminal)
            """
    )

    @Option(help: "Address to listen on.")
    var host: String = "0.0.0.0"

    @Option(help: "Port to listen on (default: PORT, else 8080).")
    var port: Int?

    @Option(
        help:
            "The bus to relay from: redis (REDIS_URL, or REDIS_HOST/REDIS_PORT; REDIS_KEY_PREFIX) or in-process (only useful with a publisher in this process)."
    )
    var bus: GatewayBusKind = .redis

    @Flag(help: "Serve clients without a token (every stream readable). Auth is required otherwise.")
    var allowAnonymous = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        try LoggingConfiguration.bootstrapFromEnvironment(environment)
        let logger = Logger(label: "aws-realtime.gateway")

        var base = GatewayConfiguration(host: host)
        base.port = try ListenPort.resolve(explicit: port, environment: environment, defaultPort: base.port)
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.fromEnvironment(
                environment, base: base, allowAnonymous: allowAnonymous,
                readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
            try await Gateway<InProcessSubscriber>.validate(configuration)
        } catch let error as GatewayError {
            throw ValidationError(error.description)
        }
        let overridden = GatewayConfiguration.configuredKeyVariables(in: environment)
        if allowAnonymous, !overridden.isEmpty {
            logger.warning(
                "--allow-anonymous overrides the configured JWT key: every client reads every stream without a token",
                metadata: [
                    "gateway.auth": "\(configuration.auth.mode)", "gateway.auth.ignored": "\(overridden.joined(separator: ","))",
                ])
        } else {
            logger.info("Gateway auth", metadata: ["gateway.auth": "\(configuration.auth.mode)"])
        }

        switch bus {
        case .inProcess:
            let inProcess = InProcessBus()
            let subscriber = inProcess.makeSubscriber()
            defer { subscriber.close() }
            let services: [any Service] = [Gateway(bus: subscriber, configuration: configuration, logger: logger)]
            logger.warning("The in-process bus has no publisher here: clients will only get what this process publishes")
            let group = ServiceGroup(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
            try await group.run()
        case .redis:
            let redis: RedisConfiguration
            do {
                redis = try RedisConfiguration(environment: environment)
            } catch {
                throw ValidationError("REDIS_URL: \(error)")
            }
            let redisDeployment = try await RedisDeployment.make(
                configuration: redis, keyPrefix: RedisDeployment.keyPrefix(environment: environment), logger: logger)
            let subscriber = redisDeployment.makeSubscriber()
            let keys = redisDeployment.keys
            let bus = RedisSubscriberBus(subscriber: subscriber, client: redisDeployment.client, keys: keys, logger: logger)
            logger.info(
                "Relaying from Redis",
                metadata: [
                    "redis.endpoint": "\(redisDeployment.configuration)", "redis.prefix": "\(keys.prefix)",
                    "redis.pubsub": "\(redisDeployment.pubSub == .sharded ? "sharded" : "classic")",
                ])
            let services: [any Service] = [
                redisDeployment.clientService,
                subscriber,
                bus,
                Gateway(bus: bus, configuration: configuration, logger: logger),
            ]
            let group = ServiceGroup(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
            try await group.run()
        }
    }
}

/// What `gateway --bus` relays from.
enum GatewayBusKind: String, ExpressibleByArgument, CaseIterable {
    case redis
    case inProcess = "in-process"
}
