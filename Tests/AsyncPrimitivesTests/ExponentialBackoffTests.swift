import AsyncPrimitives
import Testing

@Suite struct ExponentialBackoffTests {
    @Test func withoutJitterTheDelayDoublesToTheMaximum() {
        let backoff = ExponentialBackoff(initial: .seconds(5), maximum: .seconds(60))
        #expect((0..<6).map { backoff.delay(attempt: $0, random: 0.7) } == [5, 10, 20, 40, 60, 60].map(Duration.seconds))
        #expect(backoff.delay(attempt: -3, random: 0) == .seconds(5))
    }

    @Test func fullJitterScalesTheWholeDelayByTheDraw() {
        let backoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(20), jitter: 1)
        #expect(backoff.delay(attempt: 0, random: 0.5) == .milliseconds(500))
        #expect(backoff.delay(attempt: 2, random: 1) == .seconds(4))
        #expect(backoff.delay(attempt: 0, random: 0) == .zero)
        #expect(backoff.delay(attempt: 59, random: 0.5) == .seconds(10))
    }

    @Test func aGrowthOtherThanTwo() {
        let backoff = ExponentialBackoff(initial: .milliseconds(100), maximum: .seconds(10), multiplier: 3)
        #expect(backoff.delay(attempt: 2, random: 0) == .milliseconds(900))
        #expect(backoff.delay(attempt: 5, random: 0) == .seconds(10))
    }

    /// Any attempt number (a retry counter after days of outage) costs a few steps and stays within
    /// the bounds; values out of range are clamped, not trusted.
    @Test func everyValueStaysBetweenZeroAndTheMaximum() {
        let policies = [
            ExponentialBackoff(initial: .milliseconds(50), maximum: .seconds(1), multiplier: 1.000_001, jitter: 0.5),
            ExponentialBackoff(initial: .zero, maximum: .seconds(1)),
            ExponentialBackoff(initial: .seconds(5), maximum: .seconds(1)),
            ExponentialBackoff(initial: .seconds(1), maximum: .seconds(-1)),
            ExponentialBackoff(initial: .seconds(1), maximum: .seconds(Int64.max), multiplier: 1e300),
            ExponentialBackoff(initial: .seconds(1), maximum: .seconds(30), multiplier: .nan, jitter: .infinity),
            ExponentialBackoff(initial: .seconds(-4), maximum: .seconds(30), multiplier: 0.5, jitter: -2),
        ]
        for policy in policies {
            for attempt in [0, 1, 7, 64, 1_000, Int.max] {
                for draw in [0, 0.5, 0.999_999, -1, 2, .nan] {
                    let delay = policy.delay(attempt: attempt, random: draw)
                    #expect(delay >= .zero && delay <= max(policy.maximum, .zero), "\(policy) \(attempt) \(draw): \(delay)")
                }
            }
        }
        #expect(policies[4].delay(attempt: Int.max, random: 0) == .seconds(Int64.max))
        #expect(policies[1].delay(attempt: Int.max, random: 0) == .zero)
    }
}
