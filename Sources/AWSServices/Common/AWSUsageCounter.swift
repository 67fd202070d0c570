import Synchronization

/// What one operation has cost so far.
public struct AWSOperationUsage: Sendable, Hashable {
    /// Calls of the client's method (one paginated call may take several requests).
    public var calls: Int
    /// HTTP requests sent (pages, batches): what AWS bills per request.
    public var requests: Int
    /// Metrics requested (CloudWatch GetMetricData bills per 1,000 of these).
    public var metricsRequested: Int
    /// Items of the answers (events, findings) left out because they did not decode
    /// (``AWSSkippedItem``). An item read again by a later poll counts again.
    public var skippedItems: Int

    public init(calls: Int = 0, requests: Int = 0, metricsRequested: Int = 0, skippedItems: Int = 0) {
        self.calls = calls
        self.requests = requests
        self.metricsRequested = metricsRequested
        self.skippedItems = skippedItems
    }

    static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            calls: lhs.calls + rhs.calls, requests: lhs.requests + rhs.requests,
            metricsRequested: lhs.metricsRequested + rhs.metricsRequested, skippedItems: lhs.skippedItems + rhs.skippedItems)
    }
}

/// Counts calls, requests and metrics requested per operation, for cost and rate accounting.
/// Thread-safe; share one between clients to see a whole worker's usage.
///
/// Requests are counted when they are sent, whatever AWS answers (AWSClient's own retries of a
/// request are not counted again).
public final class AWSUsageCounter: Sendable {
    private let counts = Mutex<[String: AWSOperationUsage]>([:])

    public init() {}

    /// The usage of one operation (`GetMetricData`, `LookupEvents`, ...).
    public func usage(of operation: String) -> AWSOperationUsage {
        counts.withLock { $0[operation] ?? AWSOperationUsage() }
    }

    /// Every operation's usage.
    public var snapshot: [String: AWSOperationUsage] {
        counts.withLock { $0 }
    }

    /// All operations together.
    public var total: AWSOperationUsage {
        counts.withLock { $0.values.reduce(AWSOperationUsage(), +) }
    }

    /// Returns the usage so far and starts again from zero (for per-interval reporting).
    public func reset() -> [String: AWSOperationUsage] {
        counts.withLock { counts in
            defer { counts = [:] }
            return counts
        }
    }

    func recordCall(_ operation: String) {
        counts.withLock { $0[operation, default: AWSOperationUsage()].calls += 1 }
    }

    func recordSkipped(_ operation: String, count: Int) {
        counts.withLock { $0[operation, default: AWSOperationUsage()].skippedItems += count }
    }

    func recordRequest(_ operation: String, metrics: Int = 0) {
        counts.withLock {
            $0[operation, default: AWSOperationUsage()].requests += 1
            $0[operation, default: AWSOperationUsage()].metricsRequested += metrics
        }
    }
}
