import AWSCore
import AWSServices
import Testing

@Suite struct AWSRateLimiterTests {
    /// Five calls at 2 per second with no burst take 2 s: the first at once, then every 500 ms.
    @Test func fiveCallsAtTwoPerSecondTakeTwoSeconds() async throws {
        let clock = VirtualClock()
        let limiter = AWSRateLimiter.cloudTrailLookupEvents(clock: clock)
        let start = clock.now
        for _ in 0..<5 { try await limiter.acquire() }
        #expect(start.duration(to: clock.now) == .seconds(2))
        #expect(clock.sleeps == Array(repeating: .milliseconds(500), count: 4))
    }

    @Test func idleTimeRefillsUpToTheBurst() async throws {
        let clock = VirtualClock()
        let limiter = AWSRateLimiter(ratePerSecond: 2, burst: 3, clock: clock)
        for _ in 0..<3 { try await limiter.acquire() }
        #expect(clock.sleeps.isEmpty)
        clock.advance(by: .seconds(60))
        // A minute idle refills to the burst of 3, not to 120.
        for _ in 0..<4 { try await limiter.acquire() }
        #expect(clock.sleeps == [.milliseconds(500)])
    }

    @Test func concurrentCallersQueueInTurn() async throws {
        // Frozen time: every caller reserves its token at the same instant.
        let clock = VirtualClock(advancesOnSleep: false)
        let limiter = AWSRateLimiter(ratePerSecond: 2, burst: 1, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await limiter.acquire() } }
            try await group.waitForAll()
        }
        // Each caller took its turn: waits of 0.5, 1.0 and 1.5 s (in some order).
        #expect(clock.sleeps.sorted() == [.milliseconds(500), .milliseconds(1_000), .milliseconds(1_500)])
    }

    @Test func aWaitLongerThanTheBoundIsRefused() async throws {
        // Frozen time: the third caller would wait 2 s.
        let clock = VirtualClock(advancesOnSleep: false)
        let limiter = AWSRateLimiter(ratePerSecond: 1, burst: 1, maxWait: .seconds(1), clock: clock)
        try await limiter.acquire()
        try await limiter.acquire()
        await #expect { try await limiter.acquire() } throws: { ($0 as? AWSError)?.kind == .limitExceeded }
    }

    @Test func onTheRealClock() async throws {
        let limiter = AWSRateLimiter(ratePerSecond: 20, burst: 1)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<3 { try await limiter.acquire() }
        #expect(clock.now - start >= .milliseconds(95))
    }
}
