import AWSServices
import Foundation
import Payloads
import Synchronization

/// What the worker has done, for `/metrics` and `/ready`.
public final class WorkerStatistics: Sendable {
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

    func polled(_ stream: StreamName, at seconds: Double) {
        state.withLock {
            $0.polls[stream, default: 0] += 1
            $0.lastSuccess[stream] = seconds
        }
    }

    /// The AWS requests one poll of `stream` made (by operation), at `seconds` (Unix time).
    func used(_ usage: [String: AWSOperationUsage], by stream: StreamName, at seconds: Double) {
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
            if dollars > 0 {
                snapshot.hourlyDollars[hour, default: 0] += dollars
                snapshot.hourlyDollars = snapshot.hourlyDollars.filter { $0.key > hour - 48 }
            }
        }
    }

    func skippedWithoutListeners(_ stream: StreamName) {
        state.withLock { $0.pollsSkippedWithoutListeners[stream, default: 0] += 1 }
    }

    func pollFailed(_ stream: StreamName, errorKey: String) {
        state.withLock {
            $0.pollErrors[stream, default: 0] += 1
            $0.awsErrors[AWSErrorSeries.key(for: errorKey, among: $0.awsErrors.keys), default: 0] += 1
        }
    }

    func state(_ stream: StreamName, _ data: StreamStateData) { state.withLock { $0.states[stream] = data } }

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

    func published(_ stream: StreamName) { state.withLock { $0.published[stream, default: 0] += 1 } }
    func fenced(_ stream: StreamName) { state.withLock { $0.fenced[stream, default: 0] += 1 } }
    func heartbeat() { state.withLock { $0.heartbeats += 1 } }

    func buffer(_ stream: StreamName, size: Int, dropped: Int) {
        state.withLock {
            $0.buffered[stream] = size
            $0.bufferDropped[stream, default: 0] += dropped
        }
    }
}
