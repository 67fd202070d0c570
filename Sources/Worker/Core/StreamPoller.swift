import AWSServices
import Bus
import Foundation
import Logging
import Payloads

/// One stream's poll loop: while this instance leads, poll when the stream's ``PollSchedule``
/// says (demand, interval or the collector's own schedule, keep-warm, spend budget, state), and
/// publish each batch with its cursor through the fenced publish. A change of the stream's state
/// (``StreamHealth``) is published too, as a `stream-state` envelope.
///
/// Never two polls of one stream at once (one loop per stream); a poll that overruns its
/// interval skips the ticks it missed instead of piling them up.
struct StreamPoller: Sendable {
    let collector: any Collector
    /// The AWS account and Region this loop polls: its envelopes' `account` and `region`, its cursor.
    let target: WorkerTarget
    let configuration: WorkerConfiguration
    let bus: any PublisherBus
    let lease: LeaderLease
    let statistics: WorkerStatistics
    let spend: SpendPlanner
    let stop: StopSignal
    let logger: Logger
    let clock: WorkerClock

    var stream: StreamName { collector.stream }
    private var settings: WorkerConfiguration.Stream { configuration.stream(stream) }

    /// The cursor entry that holds the stream's state as last published, so a new leader knows
    /// what its subscribers were told.
    static let stateKey = "state"

    /// What one poller knows between ticks.
    struct State {
        /// The leadership epoch the cursor below belongs to.
        var epoch: Int64?
        var cursor: [String: String] = [:]
        var buffer: OutageBuffer
        var schedule: PollSchedule
        var health = StreamHealth()
        /// The state the subscribers were last told (nil: never told, which means live).
        var publishedState: String?
        var lastFailureLog: Date?
        var lastSkip: Date?
    }

    enum TickOutcome: Equatable {
        case standby, waiting, polled, failed, fenced
    }

    /// How often a standby poller looks whether this instance has taken the lease.
    static let standbyCheckInterval = Duration.milliseconds(100)
    /// A stream that keeps failing in the same state logs a failure at most this often.
    static let repeatedFailureLogInterval: TimeInterval = 300

    /// Streams AWS bills per request or per metric requested: no keep-warm by default.
    static let billedStreams: Set<StreamName> = [.metrics, .costs]

    func makeState() -> State {
        State(
            buffer: OutageBuffer(capacity: configuration.outageBufferCapacity),
            schedule: PollSchedule(
                policy: .init(
                    interval: settings.interval, keepWarm: settings.keepWarmInterval,
                    isBilled: Self.billedStreams.contains(stream), isDemandDriven: configuration.demand.isDemandDriven,
                    unavailableRetry: configuration.unavailableRetryInterval)))
    }

    func run() async {
        var state = makeState()
        var logger = self.logger
        logger[metadataKey: "worker.stream"] = "\(stream)"
        if target.isConfigured {
            logger[metadataKey: "aws.account"] = "\(target.account)"
            logger[metadataKey: "aws.region"] = "\(target.region)"
        }
        while !Task.isCancelled, !stop.isStopped {
            let (outcome, wait) = await tick(&state, logger: logger)
            // Standby: check again soon (a local check, no I/O), so the first poll follows a takeover
            // within a tenth of a second.
            let delay = outcome == .standby ? min(configuration.lease.renewInterval, Self.standbyCheckInterval) : wait
            if delay > .zero { await stop.sleep(for: clock.realDuration(delay)) }
        }
    }

    /// One step of the loop: returns what happened and how long to wait (in the worker clock's time).
    func tick(_ state: inout State, logger: Logger) async -> (TickOutcome, Duration) {
        guard let leadership = lease.validLeadership else {
            state.epoch = nil
            return (.standby, .zero)
        }
        let epoch = leadership.epoch
        if state.epoch != epoch {
            guard await adopt(epoch: epoch, state: &state, logger: logger) else {
                return (.failed, configuration.demandCheckInterval)
            }
        }
        if !state.buffer.isEmpty, await flush(&state, leadership: leadership, logger: logger) == .fenced {
            return (.fenced, .zero)
        }

        let now = clock.now()
        let listeners: Int? =
            configuration.demand.isDemandDriven ? (try? await bus.listenerCounts(of: [stream]))?[stream] : nil
        let collectorDue = collector.nextDue(cursor: state.cursor, now: now)
        let stretch = spend.stretch
        statistics.schedule(
            stream,
            expectedGap: state.schedule.expectedGap(
                listeners: listeners, health: state.health.state, collectorDue: collectorDue, stretch: stretch),
            spend: spend)
        let decision = state.schedule.decide(
            now: now, listeners: listeners, health: state.health.state, collectorDue: collectorDue, stretch: stretch,
            demandCheck: configuration.demandCheckInterval)
        if case .wait(let until) = decision {
            countSkip(&state, listeners: listeners, collectorDue: collectorDue, stretch: stretch, now: now)
            return (.waiting, .milliseconds(Int64(max(0, until.timeIntervalSince(now)) * 1_000)))
        }
        let outcome = await poll(&state, leadership: leadership, at: now, logger: logger)
        return (outcome, .zero)
    }

    /// A poll that would be due now if someone watched counts as skipped, once per interval.
    private func countSkip(_ state: inout State, listeners: Int?, collectorDue: Date?, stretch: Double, now: Date) {
        guard !state.schedule.hasDemand(listeners: listeners),
            let due = state.schedule.due(
                listeners: 1, health: state.health.state, collectorDue: collectorDue, stretch: stretch),
            due <= now,
            state.lastSkip.map({ now.timeIntervalSince($0) >= settings.interval.seconds }) ?? true
        else { return }
        state.lastSkip = now
        statistics.skippedWithoutListeners(stream)
    }

    private func poll(_ state: inout State, leadership: LeaderLease.Leadership, at started: Date, logger: Logger) async
        -> TickOutcome
    {
        let before = collector.usage?.snapshot ?? [:]
        let result: Result<CollectedPoll, any Error>
        do {
            result = .success(try await collector.poll(from: state.cursor))
        } catch is CancellationError {
            return .failed
        } catch {
            result = .failure(error)
        }
        let usage = collector.usage?.usage(since: before) ?? [:]
        statistics.used(usage, by: stream, target: target, at: clock.now().timeIntervalSince1970)

        let polled: CollectedPoll
        switch result {
        case .failure(let error):
            state.schedule.attempted(at: started, succeeded: false, jitter: randomJitter())
            statistics.pollFailed(stream, target: target, errorKey: Self.errorKey(stream: stream, error: error))
            let changed = state.health.failed(error, at: started)
            statistics.state(stream, target: target, stateData(state))
            logFailure(error, changed: changed, state: &state, at: started, logger: logger)
            return await publishStateIfChanged(&state, leadership: leadership, logger: logger) == .fenced ? .fenced : .failed
        case .success(let value):
            polled = value
        }
        state.schedule.attempted(at: started, succeeded: true, jitter: randomJitter())
        if state.health.succeeded(at: started) {
            logger.info("Stream live again", metadata: ["worker.stream.state": "live"])
        }
        statistics.state(stream, target: target, stateData(state))
        statistics.polled(stream, target: target, at: started.timeIntervalSince1970)
        statistics.late(stream, count: polled.lateEvents)
        if polled.lateEvents > 0 {
            logger.warning(
                "Events arrived later than the stream's overlap window; others like them may have been missed",
                metadata: ["worker.late.events": "\(polled.lateEvents)", "worker.config.key": "streams.\(stream).overlap"])
        }
        if Self.billedStreams.contains(stream) {
            let dollars = usage.reduce(0) { $0 + $1.value.dollars(of: $1.key) }
            // A billed stream polls once per interval while watched (for metrics, its series' period).
            if dollars > 0 { spend.report(stream, target: target, dollarsPerPoll: dollars, period: settings.interval) }
        }
        if await publishStateIfChanged(&state, leadership: leadership, logger: logger) == .fenced { return .fenced }

        for batch in polled.batches {
            switch await publishBatch(batch, state: &state, leadership: leadership, logger: logger) {
            case .fenced: return .fenced
            case .published, .buffered: continue
            }
        }
        if let cursor = polled.cursor, polled.batches.isEmpty { state.cursor = cursor }
        return .polled
    }

    /// Up to `jitter` (a fraction) of the interval, at most a minute.
    private func randomJitter() -> TimeInterval {
        min(60, settings.interval.seconds * Double.random(in: 0...max(0, configuration.jitter)))
    }

    private func logFailure(_ error: any Error, changed: Bool, state: inout State, at now: Date, logger: Logger) {
        let metadata: Logger.Metadata = [
            "error": "\(error)", "worker.stream.state": "\(state.health.state.rawValue)",
            "worker.failures": "\(state.health.consecutiveFailures)",
        ]
        if changed {
            if state.health.state == .unavailable {
                logger.error(
                    "AWS refuses this API (or the account's role) to this target; the stream is unavailable there and is tried again every \(ConfigurationNode.format(configuration.unavailableRetryInterval))",
                    metadata: metadata)
            } else {
                logger.error("Poll failed; the stream is degraded and tried again on schedule", metadata: metadata)
            }
            state.lastFailureLog = now
        } else if state.lastFailureLog.map({ now.timeIntervalSince($0) >= Self.repeatedFailureLogInterval }) ?? true {
            logger.warning("Poll failed again", metadata: metadata)
            state.lastFailureLog = now
        } else {
            logger.debug("Poll failed again", metadata: metadata)
        }
    }

    /// Publishes the stream's state when it differs from what its subscribers were last told.
    private func publishStateIfChanged(_ state: inout State, leadership: LeaderLease.Leadership, logger: Logger) async
        -> PublishedBatch
    {
        let current = state.health.state.rawValue
        guard current != (state.publishedState ?? StreamHealth.State.live.rawValue) else { return .published }
        let data = stateData(state)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let encoded = try? encoder.encode(data) else { return .published }
        state.publishedState = current
        var cursor = state.cursor
        cursor[Self.stateKey] = current
        let batch = CollectedBatch(type: StreamStateData.type, data: Array(encoded), cursor: cursor)
        return await publishBatch(batch, state: &state, leadership: leadership, logger: logger)
    }

    private func stateData(_ state: State) -> StreamStateData {
        state.health.data(
            retryAt: state.schedule.lastAttempt?.addingTimeInterval(configuration.unavailableRetryInterval.seconds))
    }

    enum PublishedBatch: Equatable { case published, buffered, fenced }

    /// Publishes one batch (or buffers it while the bus is unreachable), with the stream's
    /// published state kept in its cursor.
    private func publishBatch(
        _ batch: CollectedBatch, state: inout State, leadership: LeaderLease.Leadership, logger: Logger
    ) async -> PublishedBatch {
        var batch = batch
        batch.cursor[Self.stateKey] = state.publishedState
        let cursorBefore = state.cursor
        state.cursor = batch.cursor
        if !state.buffer.isEmpty {
            bufferBatch(batch, cursorBefore: cursorBefore, state: &state, logger: logger)
            return .buffered
        }
        do {
            switch try await publish(batch, collectedAt: clock.now(), leadership: leadership) {
            case .published:
                statistics.published(stream, target: target)
                return .published
            case .fenced:
                _ = fenced(&state, logger: logger)
                return .fenced
            }
        } catch {
            logger.warning("Bus unreachable; buffering until it returns", metadata: ["error": "\(error)"])
            bufferBatch(batch, cursorBefore: cursorBefore, state: &state, logger: logger)
            return .buffered
        }
    }

    /// A new leadership (ours, after a takeover or a lost lease): continue from the stored
    /// cursor. A buffer collected under an earlier leadership is kept only if the stored cursor
    /// still stands where the buffer starts, that is if nobody published in between.
    private func adopt(epoch: Int64, state: inout State, logger: Logger) async -> Bool {
        do {
            let stored = try await bus.cursor(of: stream, scope: target.cursorScope)
            if !state.buffer.isEmpty, stored != state.buffer.baseCursor {
                let discarded = state.buffer.discardAll()
                statistics.buffer(stream, size: 0, dropped: discarded)
                logger.warning(
                    "Another leader published meanwhile; discarding the outage buffer",
                    metadata: ["worker.discarded": "\(discarded)"])
            }
            if state.buffer.isEmpty {
                state.cursor = stored
                state.publishedState = stored[Self.stateKey]
            }
            state.schedule.resume(lastPoll: stored["lastPoll"].flatMap(ISO8601.date(from:)))
            state.epoch = epoch
            logger.info(
                "Resuming from the stored cursor",
                metadata: ["worker.epoch": "\(epoch)", "worker.cursor.entries": "\(stored.count)"])
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
                    statistics.published(stream, target: target)
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
        let dropped = state.buffer.append(batch, collectedAt: clock.now(), cursorBefore: cursorBefore)
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
            account: batch.account ?? target.account, region: batch.region ?? target.region, encodedData: batch.data)
        return try await bus.publish(
            envelope, to: stream, cursor: batch.cursor, scope: target.cursorScope, token: leadership.token)
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
