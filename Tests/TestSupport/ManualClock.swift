import Foundation
import Synchronization

/// A wall clock the test moves by hand, for code that takes `now: @Sendable () -> Date` (token
/// expiry, credential refresh, cost caps, metric windows): inject ``now``, then ``advance(by:)``
/// or ``set(_:)`` it. Every read sees the last move; safe from any thread.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        current = Mutex(start)
    }

    /// Starts at an ISO 8601 time (`2026-12-06T08:00:00Z`); the epoch if `text` is not one.
    public convenience init(iso text: String) {
        self.init((try? Date(text, strategy: .iso8601)) ?? Date(timeIntervalSince1970: 0))
    }

    /// The time now.
    public var date: Date { current.withLock { $0 } }

    /// The clock to inject.
    public var now: @Sendable () -> Date {
        { [self] in date }
    }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
