import AWSCore
import AWSReplay
import ArgumentParser
import Foundation
import Logging
import Worker

/// `aws-realtime standalone` (and plain `aws-realtime`): the worker and the gateway in one
/// process, on the in-process bus (or Redis when `REDIS_URL`/`REDIS_HOST` is set). Without AWS
/// credentials it replays the bundled demo captures through the real AWS path.
struct StandaloneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standalone",
        abstract: "Run the worker and the gateway in one process (the default): one machine, no Redis needed.",
        discussion: """
            Serves the gateway's endpoints (/ws, /events, /health, /ready, /metrics) on --port, fed by a worker in \
            the same process over an in-process bus; with REDIS_URL (or REDIS_HOST) set, over Redis instead.

            AWS: the SDKs' default credential chain. When it finds no credentials at all, the bundled demo \
            captures are replayed from a loopback server through the real client (SigV4, libcurl, parsing), with \
            short stream intervals (5-15 s) so data shows within seconds.

            Auth: anonymous when no GATEWAY_JWT_SECRET / GATEWAY_JWT_PUBLIC_KEY_FILE is set and either the address \
            is loopback or the data is the demo; with a key, tokens are required (unless --allow-anonymous). Real AWS \
            data without a key listens on 127.0.0.1 only when --host is not given, and is refused on an explicit \
            non-loopback --host.

            Environment: as `worker` (WORKER_CONFIG, AWS_REGION, AWS credentials, REDIS_URL, REDIS_KEY_PREFIX, \
            SOCKETIO_EMITTER with REDIS_URL, LOG_LEVEL, LOG_FORMAT) and `gateway` (GATEWAY_*), and PORT.
            """
    )

    @Option(help: "Address to listen on (default: 0.0.0.0; 127.0.0.1 for real AWS data without a JWT key).")
    var host: String?

    @Option(help: "Port to listen on (default: PORT, else 8080).")
    var port: Int?

    @Option(help: "The worker's YAML configuration file (default: WORKER_CONFIG; none: every default).")
    var config: String?

    @Flag(help: "Serve clients without a token even when a JWT key is configured or the data is real AWS.")
    var allowAnonymous = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        try LoggingConfiguration.bootstrapFromEnvironment(environment)
        let logger = Logger(label: "aws-realtime.standalone")

        let settings = try WorkerSettingsFile.load(path: config, environment: environment)
        let port = try ListenPort.resolve(explicit: port, environment: environment, defaultPort: 8080)
        let bus = try StandaloneBus(environment: environment, settings: settings)
        let retry = try AWSClientSetup.retry(environment: environment)
        let launch = Launch(
            environment: environment, settings: settings, bus: bus, retry: retry, host: host, port: port,
            allowAnonymous: allowAnonymous, logger: logger)
        try await TransportFactory.withTransport(environment: environment, logger: logger) { transport in
            let chain = AWSCredentialChain.makeDefault(environment: environment, transport: transport, logger: logger)
            if try await Self.hasCredentials(chain) {
                try await launch.runOnAWS(transport: transport, credentials: chain)
            } else {
                try await launch.runDemo(transport: transport, profileRegion: chain.profileRegion)
            }
        }
    }

    /// Whether the chain found credentials: false when no source is configured at all (the
    /// demo), an error when a configured source fails (never the demo by accident).
    static func hasCredentials(_ chain: AWSCredentialChain) async throws -> Bool {
        do {
            _ = try await chain.credentials()
            return true
        } catch let error as AWSError where error.code == AWSCredentialChain.noCredentialsFoundCode {
            return false
        } catch {
            throw ValidationError("AWS credentials: \(error)")
        }
    }

    /// What both data sources start with, read once from the arguments and the environment.
    struct Launch: Sendable {
        let environment: [String: String]
        let settings: WorkerSettings
        let bus: StandaloneBus
        let retry: AWSRetryConfiguration
        /// `--host`, nil when not given (see ``StandaloneGatewayAuth``).
        let host: String?
        let port: Int
        let allowAnonymous: Bool
        let logger: Logger

        func runOnAWS(transport: any Transport, credentials: AWSCredentialChain) async throws {
            let client = try AWSClientSetup.client(
                environment: environment, transport: transport, credentials: credentials, retry: retry, logger: logger)
            let gateway = try await StandaloneGatewayAuth.configuration(
                environment: environment, host: host, port: port, allowAnonymous: allowAnonymous, isDemo: false, logger: logger)
            try await StandaloneServices(
                client: client, credentials: credentials, transport: transport, environment: environment, retry: retry,
                settings: settings, bus: bus, gateway: gateway, logger: logger
            )
            .run(dataSource: "AWS (credentials: \(await credentials.sourceName ?? "unknown source"))")
        }

        /// The bundled demo: its responder on 127.0.0.1 (a free port), every AWS endpoint
        /// pointed at it, fixed demo credentials, short intervals.
        func runDemo(transport: any Transport, profileRegion: String?) async throws {
            logger.notice(
                "No AWS credentials found (env, profile, web identity, ECS, IMDS): replaying the bundled demo captures; set AWS credentials to pull real AWS"
            )
            let region = (try? AWSRegion.resolve(environment: environment, profileRegion: profileRegion)) ?? "eu-west-1"
            let demoLogger = Logger(label: "aws-realtime.demo")
            let server = ReplayServer(
                handler: DemoResponder(region: region, logger: demoLogger), configuration: ReplayConfiguration(),
                logger: demoLogger)
            try await server.withServer { demoPort in
                let endpoint = "http://127.0.0.1:\(demoPort)"
                var demoEnvironment = environment.filter { !$0.key.hasPrefix("AWS_ENDPOINT_URL") }
                demoEnvironment["AWS_ENDPOINT_URL"] = endpoint
                logger.info("Demo AWS endpoint listening", metadata: ["aws.endpoint": "\(endpoint)"])
                let demoCredentials = EnvironmentCredentialProvider(environment: [
                    "AWS_ACCESS_KEY_ID": DemoResponder.accessKeyID, "AWS_SECRET_ACCESS_KEY": DemoResponder.secretAccessKey,
                ])
                let client = AWSClient(
                    region: region, transport: transport, credentialProvider: demoCredentials,
                    endpoints: AWSEndpointResolver(environment: demoEnvironment), retry: retry, logger: logger)
                let gateway = try await StandaloneGatewayAuth.configuration(
                    environment: environment, host: host, port: port, allowAnonymous: allowAnonymous, isDemo: true,
                    logger: logger)
                try await StandaloneServices(
                    client: client, credentials: demoCredentials, transport: transport, environment: demoEnvironment,
                    retry: retry, settings: settings.forDemo(), bus: bus, gateway: gateway, logger: logger
                ).run(dataSource: "the bundled demo captures")
            }
        }
    }
}
