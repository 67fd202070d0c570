import AWSCore
import AWSServices
import ArgumentParser
import Bus
import Foundation
import Hummingbird
import Logging
import Redis
import ServiceLifecycle
import SocketIOEmitter
import Worker

/// `aws-realtime worker`: the singleton that polls AWS and publishes to Redis, with its
/// operations endpoints (`/health`, `/ready`, `/metrics`) on `--port`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Poll AWS and publish the six streams to Redis (run two or more: one leads, the others stand by).",
        discussion: """
            Environment: REDIS_URL (or REDIS_HOST/REDIS_PORT), REDIS_KEY_PREFIX, AWS_REGION, the AWS credential
            variables (or any source of the SDKs' default chain), WORKER_CONFIG (the YAML file), PORT, LOG_LEVEL,
            LOG_FORMAT (json or text; json when standard error is not a terminal), SOCKETIO_EMITTER (true or false:
            also publish every update in the @socket.io/redis-emitter format; the file's socketIOEmitter).
            """
    )

    @Option(help: "Address of the operations endpoints.")
    var host: String = "0.0.0.0"

    @Option(help: "Port of the operations endpoints (default: PORT, else 9090).")
    var port: Int?

    @Option(help: "The YAML configuration file (default: WORKER_CONFIG; none: every default).")
    var config: String?

    @Flag(help: "Validate the configuration, print the effective configuration (secrets redacted) and exit.")
    var checkConfig = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        try LoggingConfiguration.bootstrapFromEnvironment(environment)
        let logger = Logger(label: "aws-realtime.worker")

        let settings = try WorkerSettingsFile.load(path: config, environment: environment)
        let redis = try RedisDeployment.configuration(environment: environment, settings: settings)
        let keyPrefix = RedisDeployment.keyPrefix(environment: environment, file: settings.keyPrefix)
        let port = try ListenPort.resolve(explicit: port, environment: environment, defaultPort: 9090)

        if checkConfig {
            var text = "# aws-realtime worker: effective configuration\n"
            text += "# redis: \(redis) (cluster: \(redis.cluster))\n"
            text += "# redis key prefix: \(keyPrefix ?? "default: aws-realtime: on one node, {aws-realtime}: on a cluster")\n"
            text += "# operations: http://\(host):\(port)\n"
            if let region = try? AWSRegion.resolve(environment: environment) { text += "# region: \(region)\n" }
            print(text + settings.effectiveYAML, terminator: "")
            return
        }

        let retry = try AWSClientSetup.retry(environment: environment)
        try await TransportFactory.withTransport(environment: environment, logger: logger) { transport in
            let credentials = AWSCredentialChain.makeDefault(environment: environment, transport: transport, logger: logger)
            let client = try AWSClientSetup.client(
                environment: environment, transport: transport, credentials: credentials, retry: retry, logger: logger)
            var workerConfiguration = settings.worker
            let aws = await WorkerAWSSetup.make(
                settings: settings, configuration: &workerConfiguration, client: client, credentials: credentials,
                transport: transport, environment: environment, retry: retry, logger: logger)

            let redisDeployment = try await RedisDeployment.make(configuration: redis, keyPrefix: keyPrefix, logger: logger)
            let redisClient = redisDeployment.client
            let bus = RedisPublisherBus(
                client: redisClient, keys: redisDeployment.keys, historyLength: settings.historyLength,
                socketIOEmitter: settings.socketIOEmitter, pubSub: redisDeployment.pubSub, logger: logger)
            if settings.socketIOEmitter.isEnabled {
                logger.info(
                    "Also publishing every update in the Socket.IO emitter format",
                    metadata: ["redis.channel": "\(settings.socketIOEmitter.channel)"])
            }
            let worker = Worker(configuration: workerConfiguration, targets: aws.targets, bus: bus, logger: logger)
            let operations = WorkerOperationsServer(
                worker: worker, budgets: aws.renderBudgets, isBusReachable: { (try? await redisClient.ping()) != nil },
                host: host,
                port: port,
                logger: logger)
            let group = ServiceGroup(
                services: [
                    redisDeployment.clientService,
                    operations.application,
                    worker,
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
            try await group.run()
        }
    }

    /// The account stamped on envelopes when the file does not name it: STS GetCallerIdentity.
    static func accountID(client: AWSClient, logger: Logger) async -> String {
        do {
            let identity = try await client.call(.stsGetCallerIdentity, input: .null)
            if let account = identity["Account"]?.stringValue { return account }
        } catch {
            logger.warning(
                "Could not learn the AWS account id; envelopes say 'unknown' (set account in the file)",
                metadata: ["error": "\(error)"])
        }
        return "unknown"
    }
}
