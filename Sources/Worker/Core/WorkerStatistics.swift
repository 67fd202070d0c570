import AWSServices
import Foundation
import Payloads
import Synchronization

/// What the worker has done, for `/metrics` and `/ready`.
public final class WorkerStatistics: Sendable {
    /// One stream in one configured target (account and Region): the labels of the per-target series.
    public struct TargetKey: Sendable, Hashable, Comparable {
        public var stream: StreamName
        public var account: String
        public var region: String

        public init(stream: StreamName, account: String, region: String) {
            self.stream = stream
            self.account = account
            self.region = region
        }

        public static func < (lhs: TargetKey, rhs: TargetKey) -> Bool {
            (lhs.stream.rawValue, lhs.account, lhs.region) < (rhs.stream.rawValue, rhs.account, rhs.region)
        }
    }

    /// What one stream did in one configured target.
    public struct TargetSnapshot: Sendable {
        public var polls = 0
        public var pollErrors = 0
        public var published = 0
        public var awsCalls = 0
        public var awsDollars = 0.0
        /// Seconds since the epoch of the last successful poll.
        public var lastSuccess: Double?
        public var state: StreamStateData?
    }

    public struct Snapshot: Sendable {
        public var isLeader = false
        public var epoch: Int64 = 0
        /// When the current leadership began (Unix time).
        public var leaderSince: Double?
        public var leaseAcquisitions = 0
        public var leaseLosses = 0
        public var polls: [StreamName: Int] = [:]
        public var pollsSkippedWithoutListeners: [StreamName: Int] = [:]
        public var pollErrors: [StreamName: Int] = [:]
        /// AWS errors by (stream, operation, code).
        public var awsErrors: [String: Int] = [:]
        /// AWS requests each stream sent (every request, whatever the poll found or how it ended).
        public var awsCalls: [StreamName: Int] = [:]
        /// What each stream's requests cost, by AWS's billing rules.
        public var awsDollars: [StreamName: Double] = [:]
        /// Every AWS request by operation and outcome, and what AWS bills for it.
        public var awsUsage: [String: AWSOperationUsage] = [:]
        /// Billed dollars per UTC hour (hour index since the epoch), for the trailing 24 hours.
        public var hourlyDollars: [Int64: Double] = [:]
        public var published: [StreamName: Int] = [:]
        public var fenced: [StreamName: Int] = [:]
        public var heartbeats = 0
        public var buffered: [StreamName: Int] = [:]
        public var bufferDropped: [StreamName: Int] = [:]
        /// Seconds since the epoch of each stream's last successful poll.
        public var lastSuccess: [StreamName: Double] = [:]
        /// Each stream's state after its last poll (a stream never polled has none).
        public var states: [StreamName: StreamStateData] = [:]
        /// The longest gap between successful polls each stream's schedule expects now (seconds);
        /// absent when it expects none (billed and unwatched, or unavailable).
        public var expectedGap: [StreamName: Double] = [:]
        /// Events received later than their stream's overlap window (where AWS says when).
        public var lateEvents: [StreamName: Int] = [:]
        /// The projected daily spend of the billed streams at their current periods.
        public var projectedDailySpend: Double = 0
        /// The factor the spend budget stretches billed streams' waits by (1: not stretched).
        public var spendStretch: Double = 1
        /// Per stream and configured target (a worker with `targets`); the per-stream values above
        /// sum (or, for `states`, show the worst of) its targets.
        public var targets: [TargetKey: TargetSnapshot] = [:]

        /// Billed dollars in the 24 hours before `now` (Unix time).
        public func dollarsInLastDay(now: Double) -> Double {
            let hour = Int64((now / 3600).rounded(.down))
            return hourlyDollars.filter { $0.key > hour - 24 && $0.key <= hour }.values.reduce(0, +)
        }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func setLeader(_ isLeader: Bool) {
        state.withLock {
            $0.isLeader = isLeader
            if !isLeader { $0.leaderSince = nil }
        }
    }

    func leaseAcquired(epoch: Int64, at seconds: Double) {
        state.withLock {
            $0.leaseAcquisitions += 1
            $0.epoch = epoch
            $0.leaderSince = seconds
        }
    }

    func leaseLost() { state.withLock { $0.leaseLosses += 1 } }

    func polled(_ stream: StreamName, target: WorkerTarget? = nil, at seconds: Double) {
        state.withLock {
            $0.polls[stream, default: 0] += 1
            $0.lastSuccess[stream] = seconds
            Self.update(&$0, stream, target) {
                $0.polls += 1
                $0.lastSuccess = seconds
            }
        }
    }

    /// Applies `change` to `target`'s entry of `stream`, for a configured target only.
    private static func update(
        _ snapshot: inout Snapshot, _ stream: StreamName, _ target: WorkerTarget?, _ change: (inout TargetSnapshot) -> Void
    ) {
        guard let target, target.isConfigured else { return }
        change(&snapshot.targets[TargetKey(stream: stream, account: target.account, region: target.region), default: .init()])
    }

    /// The AWS requests one poll of `stream` made (by operation), at `seconds` (Unix time).
    func used(_ usage: [String: AWSOperationUsage], by stream: StreamName, target: WorkerTarget? = nil, at seconds: Double) {
        guard !usage.isEmpty else { return }
        let hour = Int64((seconds / 3600).rounded(.down))
        state.withLock { snapshot in
            var dollars = 0.0
            for (operation, delta) in usage {
                snapshot.awsUsage[operation] = (snapshot.awsUsage[operation] ?? AWSOperationUsage()) + delta
                snapshot.awsCalls[stream, default: 0] += delta.requests
                dollars += delta.dollars(of: operation)
            }
            snapshot.awsDollars[stream, default: 0] += dollars
            let calls = usage.values.reduce(0) { $0 + $1.requests }
            Self.update(&snapshot, stream, target) {
                $0.awsCalls += calls
                $0.awsDollars += dollars
            }
            if dollars > 0 {
                snapshot.hourlyDollars[hour, default: 0] += dollars
                snapshot.hourlyDollars = snapshot.hourlyDollars.filter { $0.key > hour - 48 }
            }
        }
    }

    func skippedWithoutListeners(_ stream: StreamName) {
        state.withLock { $0.pollsSkippedWithoutListeners[stream, default: 0] += 1 }
    }

    func pollFailed(_ stream: StreamName, target: WorkerTarget? = nil, errorKey: String) {
        state.withLock {
            $0.pollErrors[stream, default: 0] += 1
            Self.update(&$0, stream, target) { $0.pollErrors += 1 }
            $0.awsErrors[AWSErrorSeries.key(for: errorKey, among: $0.awsErrors.keys), default: 0] += 1
        }
    }

    func state(_ stream: StreamName, target: WorkerTarget? = nil, _ data: StreamStateData) {
        state.withLock { snapshot in
            guard let target, target.isConfigured else {
                snapshot.states[stream] = data
                return
            }
            Self.update(&snapshot, stream, target) { $0.state = data }
            // The stream's own state is the worst of its targets' (unavailable, then degraded, then live).
            let states = snapshot.targets.filter { $0.key.stream == stream }.compactMap(\.value.state)
            snapshot.states[stream] = states.max { Self.severity($0.state) < Self.severity($1.state) }
        }
    }

    private static func severity(_ state: String) -> Int {
        switch state {
        case "unavailable": 2
        case "degraded": 1
        default: 0
        }
    }

    func schedule(_ stream: StreamName, expectedGap: Duration?, spend: SpendPlanner) {
        state.withLock {
            $0.expectedGap[stream] = expectedGap?.seconds
            $0.projectedDailySpend = spend.projectedDailySpend
            $0.spendStretch = spend.stretch
        }
    }

    func late(_ stream: StreamName, count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.lateEvents[stream, default: 0] += count }
    }

    func published(_ stream: StreamName, target: WorkerTarget? = nil) {
        state.withLock {
            $0.published[stream, default: 0] += 1
            Self.update(&$0, stream, target) { $0.published += 1 }
        }
    }
    func fenced(_ stream: StreamName) { state.withLock { $0.fenced[stream, default: 0] += 1 } }
    func heartbeat() { state.withLock { $0.heartbeats += 1 } }

    func buffer(_ stream: StreamName, size: Int, dropped: Int) {
        state.withLock {
            $0.buffered[stream] = size
            $0.bufferDropped[stream, default: 0] += dropped
        }
    }
}
