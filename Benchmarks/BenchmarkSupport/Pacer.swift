/// `rate` ticks a second on a fixed schedule, for at most `maxDuration` (nil: until cancelled): a tick that falls more
/// than a second behind restarts the schedule instead of bursting to catch up.
public struct Pacer {
    private let clock = ContinuousClock()
    private let period: Duration
    private let end: ContinuousClock.Instant?
    private var next: ContinuousClock.Instant

    public init(rate: Int, maxDuration: Duration? = nil) {
        self.period = .nanoseconds(1_000_000_000 / Int64(max(1, rate)))
        let start = self.clock.now
        self.next = start
        self.end = maxDuration.map { start + $0 }
    }

    public var isRunning: Bool { self.end.map { self.clock.now < $0 } ?? true }

    /// Sleeps until the next tick.
    public mutating func wait() async throws {
        self.next = self.next.advanced(by: self.period)
        if self.next > self.clock.now {
            try await Task.sleep(until: self.next, clock: self.clock)
        } else if self.clock.now - self.next > .seconds(1) {
            self.next = self.clock.now
        }
    }
}
