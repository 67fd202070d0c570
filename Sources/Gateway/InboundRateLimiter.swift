/// A token bucket for a client's inbound messages: `rate` per second, bursts of `2 x rate`.
struct InboundRateLimiter {
    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(messagesPerSecond: Int, now: ContinuousClock.Instant) {
        self.rate = Double(max(1, messagesPerSecond))
        self.burst = rate * 2
        self.tokens = burst
        self.last = now
    }

    /// Takes one token; false when the client is over its rate.
    mutating func allow(at now: ContinuousClock.Instant) -> Bool {
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Refused messages tolerated before the client is closed.
    var strikeLimit: Int { Int(burst) }
}
