import AWSCore
import Synchronization

/// An async token bucket: `acquire()` returns at once while tokens are left and otherwise waits
/// until the bucket has refilled enough. Callers are served in the order they asked: each takes
/// its token at once (the balance may go negative) and sleeps off its share of the debt.
///
/// Time comes from an injected `Clock`, so tests run on a virtual clock. CloudTrail allows
/// LookupEvents 2 requests per second per account and region: ``cloudTrailLookupEvents(clock:)``.
public final class AWSRateLimiter: Sendable {
    /// Tokens added per second.
    public let ratePerSecond: Double
    /// The most tokens the bucket holds (the largest burst).
    public let burst: Int
    /// A caller that would have to wait longer than this fails with `.limitExceeded` instead of
    /// queueing (bounds the queue when callers outpace the rate for long).
    public let maxWait: Duration

    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let state: Mutex<State>

    /// What the limiter has handed out so far, for `/metrics`.
    public struct Usage: Sendable, Hashable {
        /// Tokens taken: calls let through.
        public var calls = 0
        /// Time callers spent waiting for their token, all together.
        public var waited = Duration.zero

        public init(calls: Int = 0, waited: Duration = .zero) {
            self.calls = calls
            self.waited = waited
        }
    }

    private struct State {
        var tokens: Double
        var updatedAt: Duration
        var usage = Usage()
    }

    public init<C: Clock>(
        ratePerSecond: Double, burst: Int = 1, maxWait: Duration = .seconds(120), clock: C
    ) where C.Duration == Duration {
        self.ratePerSecond = ratePerSecond > 0 ? ratePerSecond : 1
        self.burst = max(1, burst)
        self.maxWait = maxWait
        let origin = clock.now
        self.elapsed = { origin.duration(to: clock.now) }
        self.sleep = { delay in try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil) }
        self.state = Mutex(State(tokens: Double(max(1, burst)), updatedAt: .zero))
    }

    /// A limiter on the continuous clock.
    public convenience init(ratePerSecond: Double, burst: Int = 1, maxWait: Duration = .seconds(120)) {
        self.init(ratePerSecond: ratePerSecond, burst: burst, maxWait: maxWait, clock: ContinuousClock())
    }

    /// CloudTrail LookupEvents: 2 requests per second per account and region, no burst.
    public static func cloudTrailLookupEvents<C: Clock>(clock: C) -> AWSRateLimiter where C.Duration == Duration {
        AWSRateLimiter(ratePerSecond: 2, burst: 1, clock: clock)
    }

    /// Waits for a token. Throws `CancellationError` (and gives the token back) when the task is
    /// cancelled while waiting, or `.limitExceeded` when the wait would exceed ``maxWait``.
    public func acquire() async throws {
        try Task.checkCancellation()
        let wait: Duration? = state.withLock { state in
            let now = elapsed()
            let refill = (now - state.updatedAt).seconds * ratePerSecond
            state.tokens = min(Double(burst), state.tokens + refill)
            state.updatedAt = now
            let debt = 1 - state.tokens
            let wait: Duration = debt > 0 ? .nanoseconds(Int64((debt / ratePerSecond * 1e9).rounded(.up))) : .zero
            guard wait <= maxWait else { return nil }
            state.tokens -= 1
            state.usage.calls += 1
            state.usage.waited += wait
            return wait
        }
        guard let wait else {
            throw AWSError(
                kind: .limitExceeded,
                message: "the rate limiter (\(ratePerSecond)/s) would make this request wait longer than \(maxWait)")
        }
        guard wait > .zero else { return }
        do {
            try await sleep(wait)
        } catch {
            state.withLock {
                $0.tokens += 1
                $0.usage.calls -= 1
                $0.usage.waited -= wait
            }
            throw error
        }
    }

    /// Calls let through and time spent waiting so far (a wait still under way counts in full).
    public var usage: Usage { state.withLock { $0.usage } }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
