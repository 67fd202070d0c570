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
        public var awsCalls: [StreamName: Int] = [:]
        public var awsDollars: [StreamName: Double] = [:]
        public var published: [StreamName: Int] = [:]
        public var fenced: [StreamName: Int] = [:]
        public var heartbeats = 0
        public var buffered: [StreamName: Int] = [:]
        public var bufferDropped: [StreamName: Int] = [:]
        /// Seconds since the epoch of each stream's last successful poll.
        public var lastSuccess: [StreamName: Double] = [:]
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

    func polled(_ stream: StreamName, at seconds: Double, cost: CollectionCost) {
        state.withLock {
            $0.polls[stream, default: 0] += 1
            $0.lastSuccess[stream] = seconds
            $0.awsCalls[stream, default: 0] += cost.calls
            $0.awsDollars[stream, default: 0] += cost.dollars
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
