import Bus
import Payloads

extension GatewayHubStateMachine {
    // MARK: The bus worker

    /// The worker's next bus call, if one is due; the stream moves to the phase it starts.
    mutating func nextBusAction() -> GatewayHubBusAction? {
        for index in streams.indices {
            guard let action = dueAction(at: index) else { continue }
            switch action {
            case .subscribe:
                streams[index].phase = .subscribing
            case .unsubscribe:
                streams[index].phase = .unsubscribing
                updatePosition(at: index)
            case .resubscribe, .readHistory, .readLatest:
                break
            }
            return action
        }
        return nil
    }

    private func dueAction(at index: Int) -> GatewayHubBusAction? {
        let stream = streams[index]
        switch stream.phase {
        case .unsubscribed where stream.hasSubscribers:
            return .subscribe(stream.name)
        case .live where !stream.hasSubscribers:
            return .unsubscribe(stream.name)
        case .resubscribing:
            return .resubscribe(stream.name)
        case .recovering(let recovery):
            switch recovery.step {
            case .readHistory:
                let limit = min(configuration.historyPageSize, configuration.maxRecoveryMessages - recovery.recovered)
                return .readHistory(stream.name, after: recovery.after, limit: max(1, limit))
            case .readLatest:
                return .readLatest(stream.name)
            }
        case .unsubscribed, .subscribing, .subscribeFailed, .live, .unsubscribing:
            return nil
        }
    }

    var hasBusWork: Bool { streams.indices.contains { dueAction(at: $0) != nil } }

    /// The worker has nothing to do: true when `waiter` was parked until there is; false when
    /// there is work already (the worker goes on without waiting).
    mutating func parkWorker(_ waiter: Waiter) -> Bool {
        guard !hasBusWork else { return false }
        parkedWorker = waiter
        return true
    }

    /// The parked worker, taken back when its task is cancelled.
    mutating func unparkWorker() -> Waiter? {
        defer { parkedWorker = nil }
        return parkedWorker
    }

    mutating func wakeWorkerIfWorkIsDue() -> [Waiter] {
        guard let worker = parkedWorker, hasBusWork else { return [] }
        parkedWorker = nil
        return [worker]
    }

    // MARK: Completions of bus actions

    /// `.subscribe` worked: `latest` (the newest stored id) is the baseline; the stream goes live,
    /// its waiting messages relayed, or recovers first if it missed some. The tasks waiting for
    /// the subscription, to resume.
    mutating func subscribed(
        _ stream: StreamName, latest: BusMessageID?, now: Instant, into sink: inout some GatewayHubRelaySink<Subscriber>
    ) -> [Waiter] {
        guard let index = Self.index(of: stream), streams[index].phase == .subscribing else { return [] }
        if let latest, streams[index].lastRelayed.map({ latest > $0 }) ?? true { streams[index].lastRelayed = latest }
        streams[index].hasFailedSubscribe = false
        streams[index].lastSeen = now
        finishBuffering(at: index, now: now, into: &sink)
        return takeSubscriptionWaiters(of: stream)
    }

    /// `.subscribe` failed: tried again at the next tick (or when a client subscribes). Its
    /// waiters go on waiting, up to their timeout.
    mutating func subscribeFailed(_ stream: StreamName) {
        guard let index = Self.index(of: stream), streams[index].phase == .subscribing else { return }
        streams[index].phase = .subscribeFailed
        streams[index].hasFailedSubscribe = true
        streams[index].buffer = []
        streams[index].hasMissedMessages = false
    }

    /// `.unsubscribe` is done: the stream starts afresh when it is subscribed again.
    mutating func unsubscribed(_ stream: StreamName) {
        guard let index = Self.index(of: stream), streams[index].phase == .unsubscribing else { return }
        streams[index].phase = .unsubscribed
        streams[index].lastRelayed = nil
        streams[index].buffer = []
        streams[index].hasMissedMessages = false
        updatePosition(at: index)
    }

    /// `.resubscribe` is done: what the silence may have missed is read back.
    mutating func resubscribed(_ stream: StreamName, now: Instant) {
        guard let index = Self.index(of: stream), streams[index].phase == .resubscribing else { return }
        startRecovery(at: index, now: now)
    }

    enum RecoveryProgress: Equatable, Sendable {
        /// More to read (another page, the latest id, or another pass after a gap meanwhile).
        case reading
        /// The stream is live again: `count` messages were read back in the last pass.
        case recovered(count: Int)
    }

    /// A page of `.readHistory`: relayed in order (what was relayed already is skipped); at its
    /// end the stream goes live, its waiting messages relayed after the page.
    mutating func historyRead(
        _ stream: StreamName, page: [BusMessage], now: Instant, into sink: inout some GatewayHubRelaySink<Subscriber>
    ) -> RecoveryProgress {
        guard let index = Self.index(of: stream), case .recovering(var recovery) = streams[index].phase,
            recovery.step == .readHistory
        else { return .reading }
        let maximum = configuration.maxRecoveryMessages
        let limit = max(1, min(configuration.historyPageSize, maximum - recovery.recovered))
        for message in page { _ = relay(message, at: index, into: &sink) }
        recovery.recovered += page.count
        if let last = page.last { recovery.after = last.id }
        if recovery.recovered >= maximum {
            recovery.step = .readLatest
            streams[index].phase = .recovering(recovery)
            return .reading
        }
        if page.count >= limit {
            streams[index].phase = .recovering(recovery)
            return .reading
        }
        return finishBuffering(at: index, now: now, into: &sink) ? .recovered(count: recovery.recovered) : .reading
    }

    /// `.readLatest`: more was missed than is replayed. The stream goes on from `latest`; its
    /// subscribers are told to resync before anything that follows.
    mutating func skippedToLatest(
        _ stream: StreamName, latest: BusMessageID?, now: Instant, into sink: inout some GatewayHubRelaySink<Subscriber>
    ) {
        guard let index = Self.index(of: stream), case .recovering(let recovery) = streams[index].phase,
            recovery.step == .readLatest
        else { return }
        if let latest, streams[index].lastRelayed.map({ latest > $0 }) ?? true {
            streams[index].lastRelayed = latest
            updatePosition(at: index)
        }
        for subscriber in streams[index].subscribersToResync { sink.tellToResync(subscriber, about: stream) }
        finishBuffering(at: index, now: now, into: &sink)
    }

    enum RecoveryFailureAction: Sendable {
        /// Wait, then read again (the worker's next action).
        case retry(after: Duration)
        /// The recovery timed out: its subscribers were told to resync, and the stream is live again.
        case gaveUp
    }

    /// A read of `.readHistory` or `.readLatest` failed: after a Redis restart the connection
    /// that reads history can come back after the one that reported the gap. Retried with
    /// backoff until the recovery's deadline; live messages wait meanwhile.
    mutating func recoveryReadFailed(
        _ stream: StreamName, now: Instant, into sink: inout some GatewayHubRelaySink<Subscriber>
    ) -> RecoveryFailureAction {
        guard let index = Self.index(of: stream), case .recovering(var recovery) = streams[index].phase else {
            return .gaveUp
        }
        guard now < recovery.deadline else {
            for subscriber in streams[index].subscribersToResync { sink.tellToResync(subscriber, about: stream) }
            finishBuffering(at: index, now: now, into: &sink)
            return .gaveUp
        }
        let delay = configuration.recoveryRetry.delay(attempt: recovery.failedReads, random: 0)
        recovery.failedReads += 1
        streams[index].phase = .recovering(recovery)
        return .retry(after: delay)
    }

    // MARK: Bus events and time

    /// The bus may have dropped messages (its connection dropped, or we fell behind): every
    /// live stream reads its history back; a stream that is not live reads it before it is.
    mutating func busReportedGap(now: Instant) -> [Waiter] {
        for index in streams.indices {
            switch streams[index].phase {
            case .live:
                startRecovery(at: index, now: now)
            case .subscribing, .recovering, .resubscribing:
                streams[index].hasMissedMessages = true
            case .unsubscribed, .subscribeFailed, .unsubscribing:
                break
            }
        }
        return wakeWorkerIfWorkIsDue()
    }

    /// Periodic: a live stream with subscribers silent past `silenceLimit` is resubscribed; a
    /// failed subscribe is tried again.
    mutating func tick(now: Instant) -> [Waiter] {
        for index in streams.indices {
            switch streams[index].phase {
            case .subscribeFailed:
                streams[index].phase = .unsubscribed
                // Nobody wants it any more: nothing failed that anyone waits for.
                if !streams[index].hasSubscribers { streams[index].hasFailedSubscribe = false }
            case .live where streams[index].hasSubscribers && now - streams[index].lastSeen > configuration.silenceLimit:
                streams[index].phase = .resubscribing
                streams[index].lastSeen = now
            default:
                break
            }
        }
        return wakeWorkerIfWorkIsDue()
    }

    // MARK: Transitions

    private mutating func startRecovery(at index: Int, now: Instant) {
        streams[index].hasMissedMessages = false
        streams[index].phase = .recovering(
            GatewayHubRecovery(
                after: streams[index].lastRelayed, deadline: now.advanced(by: configuration.recoveryTimeout)))
        updatePosition(at: index)
    }

    /// Leaves a buffering phase: the stream recovers (again) if it may have missed messages,
    /// otherwise goes live and relays what waited. True when it is live.
    @discardableResult
    private mutating func finishBuffering(
        at index: Int, now: Instant, into sink: inout some GatewayHubRelaySink<Subscriber>
    ) -> Bool {
        guard !streams[index].hasMissedMessages else {
            startRecovery(at: index, now: now)
            return false
        }
        streams[index].phase = .live
        updatePosition(at: index)
        let waiting = streams[index].buffer
        streams[index].buffer = []
        for message in waiting { _ = relay(message, at: index, into: &sink) }
        return true
    }
}
