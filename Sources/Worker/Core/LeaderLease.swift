import Bus
import Foundation
import Logging
import Synchronization

/// Holds (or waits for) the worker singleton's lease.
///
/// Every instance tries to take the lease; the holder renews it every `renewInterval`. A holder
/// counts its lease valid for one TTL from the start of its last successful renewal, by its own
/// clock, and stops collecting the moment that passes, even if the broker is unreachable and so
/// cannot tell it: a standby may take over exactly then.
public final class LeaderLease: Sendable {
    public enum Role: Sendable, Equatable {
        case standby
        case leader(epoch: Int64)
    }

    struct State {
        var epoch: Int64?
        var validUntil: ContinuousClock.Instant?
    }

    public let token: String
    private let bus: any PublisherBus
    private let configuration: WorkerConfiguration.Lease
    private let clock = ContinuousClock()
    private let state = Mutex(State())
    private let statistics: WorkerStatistics
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        bus: any PublisherBus, configuration: WorkerConfiguration.Lease, token: String, statistics: WorkerStatistics,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.bus = bus
        self.configuration = configuration
        self.token = token
        self.statistics = statistics
        var logger = logger
        logger[metadataKey: "worker.lease.token"] = "\(token.prefix(8))"
        self.logger = logger
    }

    /// The epoch while this instance holds a lease that is still valid by its own clock.
    public var validEpoch: Int64? {
        let now = clock.now
        return state.withLock { state in
            guard let epoch = state.epoch, let validUntil = state.validUntil, now < validUntil else { return nil }
            return epoch
        }
    }

    public var role: Role {
        validEpoch.map { .leader(epoch: $0) } ?? .standby
    }

    /// One attempt: renew when holding, take otherwise.
    func step() async {
        let started = clock.now
        let held = state.withLock { $0.epoch }
        do {
            if let epoch = held {
                if try await bus.renewLease(token: token, ttl: configuration.ttl) {
                    state.withLock { $0.validUntil = started.advanced(by: configuration.ttl) }
                } else {
                    state.withLock { $0 = State() }
                    statistics.leaseLost()
                    logger.warning("Lost the leader lease; standing by", metadata: ["worker.epoch": "\(epoch)"])
                }
            } else if let epoch = try await bus.acquireLease(token: token, ttl: configuration.ttl) {
                state.withLock { $0 = State(epoch: epoch, validUntil: started.advanced(by: configuration.ttl)) }
                statistics.leaseAcquired(epoch: epoch, at: now().timeIntervalSince1970)
                logger.info("Became the leader", metadata: ["worker.epoch": "\(epoch)"])
            }
        } catch {
            // The broker is unreachable: keep the lease until it runs out by our own clock.
            logger.warning("Could not reach the broker for the lease", metadata: ["error": "\(error)"])
        }
        statistics.setLeader(validEpoch != nil)
    }

    /// Gives the lease up so a standby takes over at once (graceful shutdown).
    func release() async {
        guard state.withLock({ $0.epoch }) != nil else { return }
        state.withLock { $0 = State() }
        statistics.setLeader(false)
        do {
            try await bus.releaseLease(token: token)
            logger.info("Released the leader lease")
        } catch {
            logger.warning("Could not release the leader lease; it expires on its own", metadata: ["error": "\(error)"])
        }
    }
}
