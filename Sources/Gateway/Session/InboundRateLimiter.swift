/// A token bucket for a client's inbound messages: `rate` per second, bursts of `2 x rate`; and
/// what the gateway does with a client over it, the same on `/ws` and Socket.IO
/// (``admit(at:)``): the first refused message is answered with `rate-limited`, later ones are
/// dropped silently, and past ``strikeLimit`` refusals in a row the client is closed.
struct InboundRateLimiter {
    /// What to do with one inbound message.
    enum Admission: Equatable {
        case accepted
        /// Refused, the first of a run: tell the client (`rate-limited`).
        case refusedWithWarning
        /// Refused again: drop it silently.
        case refused
        /// Refused more than ``strikeLimit`` times in a row: close the connection.
        case refusedTooOften
    }

    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant
    /// Refusals in a row.
    private var strikes = 0

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

    /// Takes one token and says what to do with the message.
    mutating func admit(at now: ContinuousClock.Instant) -> Admission {
        guard allow(at: now) else {
            strikes += 1
            if strikes > strikeLimit { return .refusedTooOften }
            return strikes == 1 ? .refusedWithWarning : .refused
        }
        strikes = 0
        return .accepted
    }
}
