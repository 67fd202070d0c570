/// How long to wait before retry `attempt`: `initial · multiplier^attempt`, at most `maximum`, of
/// which the `jitter` fraction is scaled by a random draw, so that many clients that failed
/// together do not retry in step.
///
/// One policy for every retry of the process: AWS calls (full jitter, the SDKs' standard mode),
/// Redis reconnects (half), credential refreshes and the gateway's history reads (none). A pure
/// value: tests pass the draw.
public struct ExponentialBackoff: Sendable, Hashable {
    /// The delay before the first retry (attempt 0), before jitter.
    public var initial: Duration
    /// The longest delay, whatever the attempt.
    public var maximum: Duration
    /// The growth per attempt (below 1 counts as 1).
    public var multiplier: Double
    /// The fraction of each delay that is random, 0 to 1: 0, every delay as computed; 1 ("full
    /// jitter"), anywhere from zero to it. The delay is scaled by a factor in `[1 - jitter, 1)`.
    public var jitter: Double

    public init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delay before retry `attempt` (0 for the first), given `random` in `[0, 1)`. Never
    /// negative, never above `maximum`, whatever the values (out-of-range ones are clamped).
    public func delay(attempt: Int, random: Double) -> Duration {
        let ceiling = max(maximum, .zero)
        let ceilingSeconds = Self.seconds(ceiling)
        let growth = multiplier.isFinite ? max(multiplier, 1) : 1
        // initial · growth^attempt by squaring: a few steps for any attempt, stopping at the ceiling.
        var seconds = max(Self.seconds(initial), 0)
        var factor = growth
        var exponent = max(attempt, 0)
        while exponent > 0, seconds > 0, seconds < ceilingSeconds {
            if exponent & 1 == 1 { seconds *= factor }
            exponent >>= 1
            factor *= factor
        }
        let fraction = jitter.isFinite ? min(max(jitter, 0), 1) : 0
        let draw = random.isFinite ? min(max(random, 0), 1) : 0
        seconds = min(seconds, ceilingSeconds) * (1 - fraction + fraction * draw)
        guard seconds < ceilingSeconds else { return ceiling }
        return .seconds(seconds)
    }

    /// ``delay(attempt:random:)`` with a random draw.
    public func delay(attempt: Int) -> Duration {
        delay(attempt: attempt, random: Double.random(in: 0..<1))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
