import Foundation

/// When one stream polls next: the pure decision of its poll loop, tested as a plain value.
///
/// - A **billed** stream (`aws-metrics`, `aws-costs`) polls only while someone watches (unless it
///   has a keep-warm interval or demand is `always`); a **free** one keeps its history warm at
///   its keep-warm interval while nobody watches.
/// - While watched, a stream polls at its interval after its last poll, or when its collector
///   says (metrics: once a period's datapoint settles; costs: when its daily cap allows). A first
///   client to a stream whose last read is older than its period gets one read at once.
/// - A billed stream's wait is stretched when a daily spend budget would otherwise be passed.
/// - A stream AWS refuses to this account is tried again only every `unavailableRetry`.
struct PollSchedule: Sendable, Equatable {
    struct Policy: Sendable, Equatable {
        var interval: Duration
        var keepWarm: Duration?
        var isBilled: Bool
        var isDemandDriven: Bool
        var unavailableRetry: Duration
    }

    enum Decision: Sendable, Equatable {
        case pollNow
        /// Nothing to do before `until` (or before someone starts watching).
        case wait(until: Date)
    }

    /// The longest wait after a failed poll of a stream with a long interval.
    static let maximumRetryDelay = Duration.seconds(600)

    let policy: Policy
    /// When the last poll started and ended well.
    private(set) var lastAttempt: Date?
    private(set) var lastSuccess: Date?
    /// A random delay added to the next due time, so that workers and streams do not poll in
    /// lockstep (the configuration's `jitter`, a fraction of the interval).
    private(set) var jitter: TimeInterval = 0

    init(policy: Policy) {
        self.policy = policy
    }

    /// A new leadership continues the schedule of the last poll stored in the cursor (`lastPoll`),
    /// so a failover does not read a billed stream again before it is due.
    mutating func resume(lastPoll: Date?) {
        guard lastAttempt == nil, let lastPoll else { return }
        lastAttempt = lastPoll
        lastSuccess = lastPoll
    }

    mutating func attempted(at date: Date, succeeded: Bool, jitter: TimeInterval = 0) {
        lastAttempt = date
        if succeeded { lastSuccess = date }
        self.jitter = max(0, jitter)
    }

    /// Whether the stream has someone to poll for: listeners, or demand `always`. An unknown
    /// count (the bus did not answer) polls a free stream (its batches wait in the outage
    /// buffer) but not a billed one.
    func hasDemand(listeners: Int?) -> Bool {
        guard policy.isDemandDriven else { return true }
        guard let listeners else { return !policy.isBilled }
        return listeners > 0
    }

    /// When the next poll is due, or nil while a billed stream without keep-warm has nobody
    /// watching.
    func due(
        listeners: Int?, health: StreamHealth.State, collectorDue: Date?, stretch: Double
    ) -> Date? {
        baseDue(listeners: listeners, health: health, collectorDue: collectorDue, stretch: stretch)?
            .addingTimeInterval(jitter)
    }

    private func baseDue(
        listeners: Int?, health: StreamHealth.State, collectorDue: Date?, stretch: Double
    ) -> Date? {
        let watched = hasDemand(listeners: listeners)
        if !watched, policy.keepWarm == nil { return nil }
        guard let lastAttempt else { return collectorDue ?? .distantPast }
        if health == .unavailable { return lastAttempt.addingTimeInterval(policy.unavailableRetry.seconds) }
        guard let lastSuccess, lastSuccess == lastAttempt else {
            // After a failure: again at the interval, at most 10 minutes later (a billed stream also
            // waits for its collector: the daily cap counts failed requests too).
            let retry = min(policy.interval, Self.maximumRetryDelay).seconds
            return max(lastAttempt.addingTimeInterval(retry), collectorDue ?? .distantPast)
        }
        let period = watched ? policy.interval : policy.keepWarm ?? policy.interval
        let stretched = policy.isBilled ? period.seconds * max(1, stretch) : period.seconds
        if let collectorDue {
            // The collector knows when there is something to read (a settled period, the daily
            // cap); the stretch still spaces a billed stream's reads under a spend budget.
            let spaced = policy.isBilled && stretch > 1 ? lastSuccess.addingTimeInterval(stretched) : .distantPast
            return watched ? max(collectorDue, spaced) : max(collectorDue, lastSuccess.addingTimeInterval(stretched))
        }
        return lastSuccess.addingTimeInterval(stretched)
    }

    /// What to do at `now`: poll, or wait (at most `demandCheck`, so a first client is noticed).
    func decide(
        now: Date, listeners: Int?, health: StreamHealth.State, collectorDue: Date?, stretch: Double,
        demandCheck: Duration
    ) -> Decision {
        let recheck = now.addingTimeInterval(demandCheck.seconds)
        guard let due = due(listeners: listeners, health: health, collectorDue: collectorDue, stretch: stretch) else {
            return .wait(until: recheck)
        }
        return due <= now ? .pollNow : .wait(until: min(due, recheck))
    }

    /// The longest gap between successful polls this schedule expects now, for readiness; nil
    /// when it expects none (a billed stream nobody watches, an unavailable stream).
    func expectedGap(listeners: Int?, health: StreamHealth.State, collectorDue: Date?, stretch: Double) -> Duration? {
        guard health != .unavailable,
            let due = due(listeners: listeners, health: health, collectorDue: collectorDue, stretch: stretch)
        else { return nil }
        let base = hasDemand(listeners: listeners) ? policy.interval : policy.keepWarm ?? policy.interval
        guard let lastSuccess else { return base }
        return max(base, .milliseconds(Int64(max(0, min(due.timeIntervalSince(lastSuccess), 366 * 86_400)) * 1_000)))
    }
}
