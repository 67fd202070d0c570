import Bus
import Foundation
import Logging
import Payloads

/// One stream's poll loop: at its interval, while this instance leads and someone listens (or
/// the keep-warm interval is due), collect from the cursor and publish each batch with its
/// cursor through the fenced publish.
///
/// Never two polls of one stream at once (one loop per stream); a poll that overruns its
/// interval skips the ticks it missed instead of piling them up.
struct StreamPoller: Sendable {
    let collector: any Collector
    let configuration: WorkerConfiguration
    let bus: any PublisherBus
    let lease: LeaderLease
    let statistics: WorkerStatistics
    let stop: StopSignal
    let logger: Logger
    let now: @Sendable () -> Date

    var stream: StreamName { collector.stream }
    private var settings: WorkerConfiguration.Stream { configuration.stream(stream) }

    /// What one poller knows between ticks.
    struct State {
        /// The leadership epoch the cursor below belongs to.
        var epoch: Int64?
        var cursor: [String: String] = [:]
        var lastPoll: ContinuousClock.Instant?
        var lastPollCost = CollectionCost.zero
        var buffer: OutageBuffer
    }

    enum TickOutcome: Equatable {
        case standby, skippedWithoutListeners, polled, failed, fenced
    }

    /// How often a standby poller looks whether this instance has taken the lease.
    static let standbyCheckInterval = Duration.milliseconds(100)

    func run() async {
        let clock = ContinuousClock()
        var state = State(buffer: OutageBuffer(capacity: configuration.outageBufferCapacity))
        var logger = self.logger
        logger[metadataKey: "worker.stream"] = "\(stream)"
        while !Task.isCancelled, !stop.isStopped {
            let started = clock.now
            let outcome = await tick(&state, logger: logger)
            // Standby: check again soon (a local check, no I/O), so the first poll follows a takeover
            // within a tenth of a second.
            let wait =
                outcome == .standby
                ? min(settings.interval, configuration.lease.renewInterval, Self.standbyCheckInterval)
                : interval(after: state.lastPollCost)
            let jitter = wait * (Double.random(in: 0...max(0, configuration.jitter)))
            let next = started.advanced(by: wait + jitter)
            if next > clock.now { await stop.sleep(for: clock.now.duration(to: next)) }
        }
    }

    /// The interval, stretched when a daily spend budget would otherwise be exceeded.
    func interval(after cost: CollectionCost) -> Duration {
        guard let budget = configuration.dailySpendBudget, budget > 0, cost.dollars > 0 else { return settings.interval }
        let enabled = max(1, configuration.streams.values.filter(\.isEnabled).count)
        let dollarsPerSecond = budget / Double(enabled) / 86_400
        return max(settings.interval, .milliseconds(Int64((cost.dollars / dollarsPerSecond * 1000).rounded())))
    }

    func tick(_ state: inout State, logger: Logger) async -> TickOutcome {
        guard let leadership = lease.validLeadership else {
            state.epoch = nil
            return .standby
        }
        let epoch = leadership.epoch
        if state.epoch != epoch {
            guard await adopt(epoch: epoch, state: &state, logger: logger) else { return .failed }
        }
        if !state.buffer.isEmpty, await flush(&state, leadership: leadership, logger: logger) == .fenced { return .fenced }

        let clock = ContinuousClock()
        if configuration.demand.isDemandDriven, let lastPoll = state.lastPoll,
            lastPoll.duration(to: clock.now) < settings.keepWarmInterval,
            let listeners = try? await bus.listenerCounts(of: [stream])[stream], listeners == 0
        {
            statistics.skippedWithoutListeners(stream)
            return .skippedWithoutListeners
        }

        let batches: [CollectedBatch]
        do {
            batches = try await collector.collect(from: state.cursor)
        } catch is CancellationError {
            return .failed
        } catch {
            statistics.pollFailed(stream, errorKey: Self.errorKey(stream: stream, error: error))
            logger.error("Poll failed; trying again at the next interval", metadata: ["error": "\(error)"])
            state.lastPoll = clock.now
            return .failed
        }
        state.lastPoll = clock.now
        let cost = batches.reduce(CollectionCost.zero) { $0 + $1.cost }
        state.lastPollCost = cost
        statistics.polled(stream, at: now().timeIntervalSince1970, cost: cost)

        for batch in batches {
            let cursorBefore = state.cursor
            state.cursor = batch.cursor
            if !state.buffer.isEmpty {
                bufferBatch(batch, cursorBefore: cursorBefore, state: &state, logger: logger)
                continue
            }
            do {
                switch try await publish(batch, collectedAt: now(), leadership: leadership) {
                case .published:
                    statistics.published(stream)
                case .fenced:
                    return fenced(&state, logger: logger)
                }
            } catch {
                logger.warning("Broker unreachable; buffering until it returns", metadata: ["error": "\(error)"])
                bufferBatch(batch, cursorBefore: cursorBefore, state: &state, logger: logger)
            }
        }
        return .polled
    }

    /// A new leadership (ours, after a takeover or a lost lease): continue from the stored
    /// cursor. A buffer collected under an earlier leadership is kept only if the stored cursor
    /// still stands where the buffer starts, that is if nobody published in between.
    private func adopt(epoch: Int64, state: inout State, logger: Logger) async -> Bool {
        do {
            let stored = try await bus.cursor(of: stream)
            if !state.buffer.isEmpty, stored != state.buffer.baseCursor {
                let discarded = state.buffer.discardAll()
                statistics.buffer(stream, size: 0, dropped: discarded)
                logger.warning(
                    "Another leader published meanwhile; discarding the outage buffer",
                    metadata: ["worker.discarded": "\(discarded)"])
            }
            if state.buffer.isEmpty { state.cursor = stored }
            state.epoch = epoch
            logger.info("Resuming from the stored cursor", metadata: ["worker.epoch": "\(epoch)", "worker.cursor": "\(stored)"])
            return true
        } catch {
            logger.warning("Could not read the stored cursor", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func flush(_ state: inout State, leadership: LeaderLease.Leadership, logger: Logger) async -> TickOutcome {
        while let entry = state.buffer.entries.first {
            do {
                switch try await publish(entry.batch, collectedAt: entry.collectedAt, leadership: leadership) {
                case .published:
                    state.buffer.removeFirst()
                    statistics.published(stream)
                case .fenced:
                    return fenced(&state, logger: logger)
                }
            } catch {
                break
            }
        }
        statistics.buffer(stream, size: state.buffer.count, dropped: 0)
        if state.buffer.isEmpty { logger.info("Outage buffer published") }
        return .polled
    }

    private func bufferBatch(_ batch: CollectedBatch, cursorBefore: [String: String], state: inout State, logger: Logger) {
        let dropped = state.buffer.append(batch, collectedAt: now(), cursorBefore: cursorBefore)
        statistics.buffer(stream, size: state.buffer.count, dropped: dropped)
        if dropped > 0 {
            logger.warning("Outage buffer full; dropped the oldest batch", metadata: ["worker.dropped": "\(dropped)"])
        }
    }

    private func fenced(_ state: inout State, logger: Logger) -> TickOutcome {
        statistics.fenced(stream)
        let discarded = state.buffer.discardAll()
        statistics.buffer(stream, size: 0, dropped: discarded)
        state.epoch = nil
        logger.error("Publish refused: this worker no longer holds the lease", metadata: ["worker.discarded": "\(discarded)"])
        return .fenced
    }

    /// Publishes under `leadership`, the one the poll started under: if it has been lost since,
    /// the publish script refuses, even if this instance leads again under a newer one.
    private func publish(_ batch: CollectedBatch, collectedAt: Date, leadership: LeaderLease.Leadership) async throws
        -> PublishOutcome
    {
        let envelope = EncodedEnvelope(
            stream: stream, type: batch.type, epoch: leadership.epoch, timestamp: ISO8601.string(from: collectedAt),
            account: configuration.account, region: configuration.region, encodedData: batch.data)
        return try await bus.publish(envelope, to: stream, cursor: batch.cursor, token: leadership.token)
    }

    /// `stream|operation|code` for AWS errors, `stream|error type` otherwise.
    static func errorKey(stream: StreamName, error: any Error) -> String {
        if let described = error as? any PollErrorDescribing { return "\(stream)|\(described.pollErrorKey)" }
        return "\(stream)|\(type(of: error))"
    }
}

/// Errors that can name the AWS operation and code they came from, for metrics.
public protocol PollErrorDescribing {
    /// `operation|code`.
    var pollErrorKey: String { get }
}
