import AWSCore
import AWSServices
import Bus
import Foundation
import Gateway
import Logging
import Redis
import ServiceLifecycle
import SocketIOEmitter
import Worker

/// The services of a standalone instance, wired to one bus and run in one `ServiceGroup`:
/// SIGTERM or SIGINT drains the gateway's sockets first, then lets the worker finish its polls
/// and release the lease, then closes Redis (services stop in reverse order).
struct StandaloneServices {
    let client: AWSClient
    /// The base credential chain, the transport, the environment and the retry policy the
    /// configured targets' clients are built with.
    let credentials: any CredentialProvider
    let transport: any Transport
    let environment: [String: String]
    let retry: AWSRetryConfiguration
    let settings: WorkerSettings
    let bus: StandaloneBus
    let gateway: GatewayConfiguration
    let logger: Logger

    func run(dataSource: String) async throws {
        var workerConfiguration = settings.worker
        // The same targets and per-API rate budgets as `worker` (`targets`, `rateBudgets` in the file).
        let aws = await WorkerAWSSetup.make(
            settings: settings, configuration: &workerConfiguration, client: client, credentials: credentials,
            transport: transport, environment: environment, retry: retry, logger: logger)
        let logger = self.logger
        let host =
            ["0.0.0.0", "::"].contains(gateway.host) || StandaloneGatewayAuth.isLoopback(gateway.host)
            ? "localhost" : gateway.host
        let onListening: @Sendable (Int) async -> Void = { port in
            logger.info("Standalone ready: open http://\(host):\(port)/ (WebSocket /ws, SSE /events)")
        }

        var services: [any Service]
        let busName: String
        var closeSubscriber: () -> Void = {}
        switch bus {
        case .inProcess(let historyLength):
            if settings.socketIOEmitter.isEnabled {
                logger.warning(
                    "socketIOEmitter needs Redis (set REDIS_URL); the in-process bus does not emit to Socket.IO servers")
            }
            let inProcessBus = InProcessBus(configuration: .init(historyLength: historyLength))
            let subscriber = inProcessBus.makeSubscriber()
            // Renewing an in-process lease costs nothing; renewing often lets the first poll start
            // within a second of start-up instead of a third of the TTL.
            workerConfiguration.lease.renewInterval = min(workerConfiguration.lease.renewInterval, .seconds(1))
            let worker = Worker(configuration: workerConfiguration, targets: aws.targets, bus: inProcessBus, logger: logger)
            services = [
                worker,
                Gateway(
                    bus: subscriber, configuration: gateway, logger: logger,
                    extras: Self.workerExtras(worker, budgets: aws.renderBudgets, isBusReachable: { true }),
                    onListening: onListening),
            ]
            busName = "in-process"
            closeSubscriber = { subscriber.close() }
        case .redis(let configuration, let keyPrefix, let historyLength):
            let redisDeployment = try await RedisDeployment.make(
                configuration: configuration, keyPrefix: keyPrefix, logger: logger)
            let keys = redisDeployment.keys
            let redisClient = redisDeployment.client
            let redisSubscriber = redisDeployment.makeSubscriber()
            let publisher = RedisPublisherBus(
                client: redisClient, keys: keys, historyLength: historyLength, socketIOEmitter: settings.socketIOEmitter,
                pubSub: redisDeployment.pubSub, logger: logger)
            let subscriber = RedisSubscriberBus(subscriber: redisSubscriber, client: redisClient, keys: keys, logger: logger)
            let worker = Worker(configuration: workerConfiguration, targets: aws.targets, bus: publisher, logger: logger)
            services = [
                redisDeployment.clientService,
                redisSubscriber,
                subscriber,
                worker,
                Gateway(
                    bus: subscriber, configuration: gateway, logger: logger,
                    extras: Self.workerExtras(
                        worker, budgets: aws.renderBudgets, isBusReachable: { (try? await redisClient.ping()) != nil }),
                    onListening: onListening),
            ]
            busName = "redis \(redisDeployment.configuration) prefix \(keys.prefix)"
        }
        logger.info(
            "Standalone: worker and gateway in one process",
            metadata: [
                "standalone.bus": "\(busName)", "standalone.data": "\(dataSource)",
                "aws.region": "\(workerConfiguration.region)", "aws.account": "\(workerConfiguration.account)",
                "gateway.address": "\(gateway.host):\(gateway.port)",
            ])
        let group = ServiceGroup(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        defer { closeSubscriber() }
        try await group.run()
        logger.info("Standalone stopped")
    }

    /// The worker's metrics in the gateway's `/metrics` and its readiness in `/ready`, as the
    /// `worker` command's own endpoints give them.
    static func workerExtras(
        _ worker: Worker, budgets: @escaping @Sendable () -> WorkerMetricsText.Budgets,
        isBusReachable: @escaping @Sendable () async -> Bool
    ) -> GatewayOperationsExtras {
        GatewayOperationsExtras(
            metricsText: {
                WorkerMetricsText.render(
                    worker.statistics.snapshot, configuration: worker.configuration, budgets: budgets(),
                    now: Date().timeIntervalSince1970)
            },
            readinessProblems: {
                let snapshot = worker.statistics.snapshot
                return WorkerReadiness.evaluate(
                    snapshot, configuration: worker.configuration, isBusReachable: await isBusReachable(),
                    leaderSince: snapshot.leaderSince, now: Date().timeIntervalSince1970
                ).reasons
            })
    }
}
