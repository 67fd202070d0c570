import Synchronization

/// What one operation has cost so far.
public struct AWSOperationUsage: Sendable, Hashable {
    /// Calls of the client's method (one paginated call may take several requests).
    public var calls: Int
    /// HTTP requests sent (pages, batches): what AWS bills per request.
    public var requests: Int
    /// Metrics requested (CloudWatch GetMetricData bills per 1,000 of these).
    public var metricsRequested: Int
    /// Requests by how they ended (``AWSRequestOutcome``): every request sent is counted once,
    /// when its answer (after the client's retries) or its failure is known.
    public var outcomes: [AWSRequestOutcome: Int]
    /// Requests AWS answered with success, and the metrics they requested: what AWS bills.
    public var billedRequests: Int
    public var billedMetrics: Int
    /// Items of the answers (events, findings) left out because they did not decode
    /// (``AWSSkippedItem``). An item read again by a later poll counts again.
    public var skippedItems: Int

    public init(
        calls: Int = 0, requests: Int = 0, metricsRequested: Int = 0, outcomes: [AWSRequestOutcome: Int] = [:],
        billedRequests: Int = 0, billedMetrics: Int = 0, skippedItems: Int = 0
    ) {
        self.calls = calls
        self.requests = requests
        self.metricsRequested = metricsRequested
        self.outcomes = outcomes
        self.billedRequests = billedRequests
        self.billedMetrics = billedMetrics
        self.skippedItems = skippedItems
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            calls: lhs.calls + rhs.calls, requests: lhs.requests + rhs.requests,
            metricsRequested: lhs.metricsRequested + rhs.metricsRequested,
            outcomes: lhs.outcomes.merging(rhs.outcomes, uniquingKeysWith: +),
            billedRequests: lhs.billedRequests + rhs.billedRequests, billedMetrics: lhs.billedMetrics + rhs.billedMetrics,
            skippedItems: lhs.skippedItems + rhs.skippedItems)
    }

    /// What happened between `earlier` and this usage of the same operation.
    public func subtracting(_ earlier: AWSOperationUsage) -> AWSOperationUsage {
        AWSOperationUsage(
            calls: calls - earlier.calls, requests: requests - earlier.requests,
            metricsRequested: metricsRequested - earlier.metricsRequested,
            outcomes: outcomes.merging(earlier.outcomes.mapValues { -$0 }, uniquingKeysWith: +).filter { $0.value != 0 },
            billedRequests: billedRequests - earlier.billedRequests, billedMetrics: billedMetrics - earlier.billedMetrics,
            skippedItems: skippedItems - earlier.skippedItems)
    }

    /// The dollars AWS bills for this usage of `operation` (``AWSBilling``).
    public func dollars(of operation: String) -> Double {
        AWSBilling.dollars(operation: operation, billedRequests: billedRequests, billedMetrics: billedMetrics)
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

    /// Every operation's usage since `earlier` (a snapshot of this counter), only those that moved.
    public func usage(since earlier: [String: AWSOperationUsage]) -> [String: AWSOperationUsage] {
        var result: [String: AWSOperationUsage] = [:]
        for (operation, usage) in snapshot {
            let delta = usage.subtracting(earlier[operation] ?? AWSOperationUsage())
            if delta != AWSOperationUsage() { result[operation] = delta }
        }
        return result
    }

    /// Sends one request of `operation` (requesting `metrics` metrics) through `send`, counting it
    /// when it goes out and its outcome when it ends.
    func measure<Result>(
        _ operation: String, metrics: Int = 0, _ send: () async throws -> Result
    ) async throws -> Result {
        recordRequest(operation, metrics: metrics)
        do {
            let result = try await send()
            recordOutcome(operation, .success, metrics: metrics)
            return result
        } catch {
            recordOutcome(operation, AWSRequestOutcome(failure: error), metrics: metrics)
            throw error
        }
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

    func recordOutcome(_ operation: String, _ outcome: AWSRequestOutcome, metrics: Int = 0) {
        counts.withLock {
            $0[operation, default: AWSOperationUsage()].outcomes[outcome, default: 0] += 1
            if outcome == .success {
                $0[operation, default: AWSOperationUsage()].billedRequests += 1
                $0[operation, default: AWSOperationUsage()].billedMetrics += metrics
            }
        }
    }
}
