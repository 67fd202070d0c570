/// The reconnection delay policy as a pure value: exponential, clamped, jittered.
struct RedisBackoff: Sendable {
    var policy: RedisConfiguration.Reconnect

    /// The delay before reconnection attempt `attempt` (0 for the first retry).
    /// `random` returns a number in `0..<1`; tests pass a fixed one.
    func delay(attempt: Int, random: () -> Double) -> Duration {
        let initial = Self.seconds(self.policy.initialDelay)
        let maximum = max(Self.seconds(self.policy.maxDelay), 0)
        let multiplier = max(self.policy.multiplier, 1)
        let exponent = Double(min(max(attempt, 0), 64))
        let base = min(initial * power(multiplier, exponent), maximum)
        let jitter = min(max(self.policy.jitter, 0), 1)
        let factor = 1 - jitter * min(max(random(), 0), 1)
        let seconds = min(max(base * factor, 0), maximum)
        return .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    func delay(attempt: Int) -> Duration {
        self.delay(attempt: attempt, random: { Double.random(in: 0..<1) })
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// `pow` without Foundation: exact for the small integral exponents used here.
private func power(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 {
        result *= base
        remaining -= 1
        if result.isInfinite { break }
    }
    return result
}
