import Bus
import Foundation
import Logging
import Payloads
import ServiceLifecycle

/// The worker: holds (or waits for) the singleton lease and, while it leads, polls each
/// enabled stream and publishes what it finds, with a heartbeat on every stream.
///
/// `run()` returns after `stop()` or its service group's graceful shutdown (polls in flight
/// finish and publish, then the lease is released so a standby takes over at once), or when its
/// task is cancelled.
public final class Worker: Service {
    public let configuration: WorkerConfiguration
    public let lease: LeaderLease
    public let statistics: WorkerStatistics
    private let targets: [WorkerTargetCollectors]
    /// The enabled streams, each once however many targets poll it (heartbeats go once per stream).
    private let streams: [StreamName]
    private let bus: any PublisherBus
    private let stopSignal = StopSignal()
    private let logger: Logger
    private let clock: WorkerClock
    private let spend: SpendPlanner

    /// - Parameter clock: the time the poll loops run on (the wall clock, or a faster one for the
    ///   spend simulation); the lease keeps to real time.
    public convenience init(
        configuration: WorkerConfiguration, collectors: [any Collector], bus: any PublisherBus,
        token: String = UUID().uuidString, statistics: WorkerStatistics = WorkerStatistics(), logger: Logger,
        clock: WorkerClock = .wall
    ) {
        self.init(
            configuration: configuration,
            targets: [
                WorkerTargetCollectors(
                    target: .default(account: configuration.account, region: configuration.region), collectors: collectors)
            ], bus: bus, token: token, statistics: statistics, logger: logger, clock: clock)
    }

    /// A worker polling several targets (AWS accounts and Regions): one poll loop per (stream,
    /// target), each with its own cursor, schedule and state.
    public init(
        configuration: WorkerConfiguration, targets: [WorkerTargetCollectors], bus: any PublisherBus,
        token: String = UUID().uuidString, statistics: WorkerStatistics = WorkerStatistics(), logger: Logger,
        clock: WorkerClock = .wall
    ) {
        self.configuration = configuration
        self.targets = targets.map { entry in
            WorkerTargetCollectors(
                target: entry.target, collectors: entry.collectors.filter { configuration.stream($0.stream).isEnabled })
        }
        let polled = Set(self.targets.flatMap { $0.collectors.map(\.stream) })
        self.streams = StreamName.allCases.filter { polled.contains($0) }
        self.bus = bus
        self.statistics = statistics
        self.lease = LeaderLease(
            bus: bus, configuration: configuration.lease, token: token, statistics: statistics, logger: logger,
            now: { clock.now() })
        self.logger = logger
        self.clock = clock
        self.spend = SpendPlanner(dailyBudget: configuration.dailySpendBudget)
    }

    /// Asks `run()` to finish the polls in flight, release the lease and return.
    public func stop() {
        stopSignal.stop()
    }

    public func run() async {
        await withGracefulShutdownHandler {
            await self.pollWhileLeading()
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func pollWhileLeading() async {
        logger.info(
            "Worker starting",
            metadata: [
                "worker.streams": "\(streams.map(\.rawValue).joined(separator: ","))",
                "worker.targets": "\(targets.count)",
                "worker.lease.ttl": "\(configuration.lease.ttl)",
            ])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.runLease() }
            group.addTask { await self.runHeartbeats() }
            for entry in targets {
                for collector in entry.collectors {
                    let poller = StreamPoller(
                        collector: collector, target: entry.target, configuration: configuration, bus: bus, lease: lease,
                        statistics: statistics, spend: spend, stop: stopSignal, logger: logger, clock: clock)
                    group.addTask { await poller.run() }
                }
            }
        }
        // Every poll in flight has published (the lease was still valid by our own clock);
        // now a standby can take over at once.
        await lease.release()
        logger.info("Worker stopped")
    }

    private func runLease() async {
        while !Task.isCancelled, !stopSignal.isStopped {
            let next = await lease.step()
            await stopSignal.sleep(for: next)
        }
    }

    private func runHeartbeats() async {
        while !Task.isCancelled, !stopSignal.isStopped {
            await stopSignal.sleep(for: clock.realDuration(configuration.heartbeatInterval))
            guard let leadership = lease.validLeadership, !stopSignal.isStopped else { continue }
            let (account, region) = heartbeatOrigin
            for stream in streams {
                let envelope = EncodedEnvelope(
                    stream: stream, type: Heartbeat.type, epoch: leadership.epoch,
                    timestamp: ISO8601.string(from: clock.now()),
                    account: account, region: region, encodedData: Array("{}".utf8))
                if (try? await bus.heartbeat(envelope, to: stream, token: leadership.token)) != nil {
                    statistics.heartbeat()
                }
            }
        }
    }

    /// What a heartbeat's `account` and `region` say: the one target's, or `*` for both when the
    /// worker polls several (a heartbeat is about the stream's channel, whatever its targets).
    private var heartbeatOrigin: (account: String, region: String) {
        if targets.allSatisfy({ !$0.target.isConfigured }) { return (configuration.account, configuration.region) }
        return (Self.allTargets, Self.allTargets)
    }

    /// The `account` and `region` of a heartbeat of a worker polling several targets.
    public static let allTargets = "*"
}
