import Foundation
import Synchronization

/// What discovery found last and when: a value the collector keeps behind a lock.
struct MetricsDiscoveryState: Sendable, Equatable {
    /// The series of the last successful discovery; nil before the first one.
    var series: [MetricSeriesDefinition]?
    var refreshedAt: Date?
    /// The dropped count last logged, so the cap is logged once, not every refresh.
    var loggedDroppedCount: Int?

    /// Whether discovery should run at `now`: never ran, or ran `interval` or longer ago.
    func needsRefresh(now: Date, interval: TimeInterval) -> Bool {
        guard series != nil, let refreshedAt else { return true }
        return now.timeIntervalSince(refreshedAt) >= interval || now < refreshedAt
    }

    /// Stores a discovery's result; returns whether the dropped count should be logged.
    mutating func refreshed(with series: [MetricSeriesDefinition], droppedCount: Int, at now: Date) -> Bool {
        self.series = series
        refreshedAt = now
        guard droppedCount != (loggedDroppedCount ?? 0) else { return false }
        loggedDroppedCount = droppedCount
        return true
    }
}

/// The discovery cache shared by copies of one collector. Sendable: its only state is a `Mutex`.
final class MetricsDiscoveryCache: Sendable {
    private let state = Mutex(MetricsDiscoveryState())

    init() {}

    var current: MetricsDiscoveryState { state.withLock { $0 } }

    func refreshed(with series: [MetricSeriesDefinition], droppedCount: Int, at now: Date) -> Bool {
        state.withLock { $0.refreshed(with: series, droppedCount: droppedCount, at: now) }
    }
}
