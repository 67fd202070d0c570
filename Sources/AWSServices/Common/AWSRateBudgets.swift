import AWSCore

/// One rate budget (an ``AWSRateLimiter``) per AWS API, shared by every client of one account and
/// Region. The clients take a token from their API's budget before each request, pages included;
/// ``unlimited`` (the clients' default) lets everything through.
public struct AWSRateBudgets: Sendable {
    /// One API's budget and what it has let through, for `/metrics`.
    public struct Report: Sendable, Hashable {
        public var api: AWSRateBudgetAPI
        public var callsPerSecond: Double
        public var usage: AWSRateLimiter.Usage
    }

    private let limiters: [AWSRateBudgetAPI: AWSRateLimiter]

    /// No budget at all: requests are never delayed.
    public static let unlimited = AWSRateBudgets(limiters: [:])

    private init(limiters: [AWSRateBudgetAPI: AWSRateLimiter]) {
        self.limiters = limiters
    }

    /// A budget for every API: `callsPerSecond` where given, the API's default otherwise; no burst
    /// (one call at a time, evenly spaced), on `clock`.
    public init<C: Clock>(callsPerSecond: [AWSRateBudgetAPI: Double] = [:], clock: C) where C.Duration == Duration {
        var limiters: [AWSRateBudgetAPI: AWSRateLimiter] = [:]
        for api in AWSRateBudgetAPI.allCases {
            limiters[api] = AWSRateLimiter(
                ratePerSecond: callsPerSecond[api] ?? api.defaultCallsPerSecond, burst: 1, clock: clock)
        }
        self.init(limiters: limiters)
    }

    /// A budget for every API on the continuous clock.
    public init(callsPerSecond: [AWSRateBudgetAPI: Double] = [:]) {
        self.init(callsPerSecond: callsPerSecond, clock: ContinuousClock())
    }

    /// The limiter of `api`, nil when unlimited.
    public func limiter(for api: AWSRateBudgetAPI) -> AWSRateLimiter? {
        limiters[api]
    }

    /// Waits for a token of `api`'s budget. A refusal (the wait would exceed the limiter's bound)
    /// names the service and operation.
    func acquire(_ api: AWSRateBudgetAPI, service: AWSService, operation: String) async throws {
        guard let limiter = limiters[api] else { return }
        do {
            try await limiter.acquire()
        } catch let error as AWSError {
            throw AWSError(
                kind: error.kind, service: service.cliName, operation: operation,
                message: "\(api.rawValue) rate budget: \(error.message)", underlying: error)
        }
    }

    /// Every budgeted API, in declaration order.
    public var reports: [Report] {
        AWSRateBudgetAPI.allCases.compactMap { api in
            limiters[api].map { Report(api: api, callsPerSecond: $0.ratePerSecond, usage: $0.usage) }
        }
    }
}
