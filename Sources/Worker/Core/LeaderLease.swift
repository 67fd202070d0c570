import Bus
import Foundation
import Logging
import Synchronization

/// Holds (or waits for) the worker singleton's lease.
///
/// Every instance tries to take the lease; the holder renews it every `renewInterval`. A holder
/// counts its lease valid for one TTL from the start of its last successful renewal, by its own
/// clock, and stops collecting the moment that passes, even if the bus is unreachable and so
/// cannot tell it: a standby may take over exactly then.
///
/// Each leadership holds the lease under its own token (``token`` the first time, `token#2`,
/// `token#3`, ... after each loss), and a poll publishes with the token of the leadership it
/// started under. So a poll still in flight from a lost leadership is fenced by the publish script
/// even when this same instance has taken the lease again meanwhile (another leader may have
/// published in between, and moved the cursor).
public final class LeaderLease: Sendable {
    public enum Role: Sendable, Equatable {
        case standby
        case leader(epoch: Int64)
    }

    /// One leadership: its fencing epoch and the token it holds the lease under.
    public struct Leadership: Sendable, Hashable {
        public var epoch: Int64
        public var token: String
    }

    struct State {
        var epoch: Int64?
        var validUntil: ContinuousClock.Instant?
        /// The token of the current leadership, or of the next attempt while standing by.
        var token: String
        var losses = 0
        /// Whether "Standing by" was logged since this instance last led (or started).
        var hasAnnouncedStandby = false
    }

    /// This instance's token: the first leadership's; later ones add `#n`.
    public let token: String
    private let bus: any PublisherBus
    private let configuration: WorkerConfiguration.Lease
    private let clock = ContinuousClock()
    private let state: Mutex<State>
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
        self.state = Mutex(State(token: token))
        self.statistics = statistics
        var logger = logger
        logger[metadataKey: "worker.lease.token"] = "\(token.prefix(8))"
        self.logger = logger
    }

    /// The leadership while this instance holds a lease that is still valid by its own clock.
    public var validLeadership: Leadership? {
        let now = clock.now
        return state.withLock { state in
            guard let epoch = state.epoch, let validUntil = state.validUntil, now < validUntil else { return nil }
            return Leadership(epoch: epoch, token: state.token)
        }
    }

    /// The epoch while this instance holds a lease that is still valid by its own clock.
    public var validEpoch: Int64? { validLeadership?.epoch }

    public var role: Role {
        validEpoch.map { .leader(epoch: $0) } ?? .standby
    }

    /// One attempt: renew when holding, take otherwise. Returns when to try again: the renew
    /// interval; for a standby the standby retry interval, or just after the holder's lease runs
    /// out if that comes sooner, so a standby takes over within one TTL of the holder's last
    /// renewal, and at once after a release.
    @discardableResult
    func step() async -> Duration {
        let started = clock.now
        let (held, token) = state.withLock { ($0.epoch, $0.token) }
        var next = configuration.renewInterval
        do {
            if let epoch = held {
                if try await bus.renewLease(token: token, ttl: configuration.ttl) {
                    state.withLock { $0.validUntil = started.advanced(by: configuration.ttl) }
                } else {
                    state.withLock { $0.standBy(base: self.token) }
                    statistics.leaseLost()
                    logger.warning("Lost the leader lease; standing by", metadata: ["worker.epoch": "\(epoch)"])
                }
            } else if let epoch = try await bus.acquireLease(token: token, ttl: configuration.ttl) {
                state.withLock {
                    $0.epoch = epoch
                    $0.validUntil = started.advanced(by: configuration.ttl)
                    $0.hasAnnouncedStandby = false
                }
                statistics.leaseAcquired(epoch: epoch, at: now().timeIntervalSince1970)
                logger.info("Became the leader", metadata: ["worker.epoch": "\(epoch)"])
            } else {
                // Standing by: try again soon (a released lease is taken at once), or just after
                // the holder's lease runs out if that comes sooner.
                next = configuration.standbyRetryInterval
                let remaining = try await bus.leaseTimeRemaining()
                if let remaining {
                    next = min(next, max(.milliseconds(5), remaining + .milliseconds(2)))
                }
                let isFirst = state.withLock { state in
                    defer { state.hasAnnouncedStandby = true }
                    return !state.hasAnnouncedStandby
                }
                if isFirst {
                    logger.info(
                        "Standing by: another worker holds the lease",
                        metadata: [
                            "worker.lease.remaining": "\(remaining.map { "\($0)" } ?? "unknown")",
                            "worker.lease.retry": "\(configuration.standbyRetryInterval)",
                        ])
                }
            }
        } catch {
            // The bus is unreachable: keep the lease until it runs out by our own clock.
            logger.warning("Could not reach the bus for the lease", metadata: ["error": "\(error)"])
        }
        statistics.setLeader(validEpoch != nil)
        return next
    }

    /// Gives the lease up so a standby takes over at once (graceful shutdown).
    func release() async {
        let held = state.withLock { state -> String? in
            guard state.epoch != nil else { return nil }
            defer { state.standBy(base: self.token) }
            return state.token
        }
        guard let token = held else { return }
        statistics.setLeader(false)
        do {
            try await bus.releaseLease(token: token)
            logger.info("Released the leader lease")
        } catch {
            logger.warning("Could not release the leader lease; it expires on its own", metadata: ["error": "\(error)"])
        }
    }
}

extension LeaderLease.State {
    /// The leadership is over: the next one will hold the lease under a new token.
    mutating func standBy(base: String) {
        epoch = nil
        validUntil = nil
        losses += 1
        token = "\(base)#\(losses + 1)"
    }
}
