import Foundation

/// The time the worker's poll loops run on: the wall clock, or one that runs faster for the
/// spend simulation (a day in minutes, through the real collectors and schedule).
public struct WorkerClock: Sendable {
    private let origin: Date
    private let started: ContinuousClock.Instant
    /// Simulated seconds per real second (1 for the wall clock).
    public let rate: Double
    private let wall: Bool

    /// The system's wall clock.
    public static let wall = WorkerClock(origin: Date(timeIntervalSince1970: 0), rate: 1, wall: true)

    /// A clock that reads `start` now and runs `rate` times faster than real time.
    public static func accelerated(from start: Date, rate: Double) -> WorkerClock {
        WorkerClock(origin: start, rate: max(1, rate), wall: false)
    }

    private init(origin: Date, rate: Double, wall: Bool) {
        self.origin = origin
        self.started = ContinuousClock.now
        self.rate = rate
        self.wall = wall
    }

    public func now() -> Date {
        if wall { return Date() }
        let elapsed = started.duration(to: .now)
        return origin.addingTimeInterval(elapsed.seconds * rate)
    }

    /// The real time that `duration` of this clock's time takes.
    public func realDuration(_ duration: Duration) -> Duration {
        rate == 1 ? duration : duration / rate
    }
}
