import Foundation
import Payloads

/// The time range one poll asks for, and how a series' raw points become payload points.
///
/// A series of period P covers `windowPeriods` periods ending at the first P-boundary after now,
/// so the still-filling period is included (and marked partial). With several periods in one
/// poll, the request covers the union of their windows and each series is trimmed to its own.
struct MetricsWindow: Sendable, Hashable {
    var start: Date
    var end: Date
}

extension MetricsWindow {
    /// The window of one period: `windowPeriods` × `period` ending at the boundary after `now`.
    init(period: Int, windowPeriods: Int, now: Date) {
        let period = max(1, period)
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let current = Self.floor(seconds, period)
        let end = current + Int64(period)
        self.init(
            start: Date(timeIntervalSince1970: Double(end - Int64(period) * Int64(max(1, windowPeriods)))),
            end: Date(timeIntervalSince1970: Double(end)))
    }

    /// The union of the windows of `periods` (nil when there are none).
    init?(periods: some Collection<Int>, windowPeriods: Int, now: Date) {
        let windows = Set(periods).map { MetricsWindow(period: $0, windowPeriods: windowPeriods, now: now) }
        guard let start = windows.map(\.start).min(), let end = windows.map(\.end).max() else { return nil }
        self.init(start: start, end: end)
    }

    /// The payload points of one series: timestamps aligned down to the period boundary, kept
    /// inside the series' own window, one point per period (the last value CloudWatch sent for
    /// it), oldest first. A period that has not ended at `now` is `partial`.
    static func points(
        timestamps: [Date], values: [Double], period: Int, windowPeriods: Int, now: Date
    ) -> [MetricPoint] {
        let period = max(1, period)
        let window = MetricsWindow(period: period, windowPeriods: windowPeriods, now: now)
        let start = Int64(window.start.timeIntervalSince1970)
        let end = Int64(window.end.timeIntervalSince1970)
        let nowSeconds = now.timeIntervalSince1970
        var byStart: [Int64: Double] = [:]
        for (timestamp, value) in zip(timestamps, values) where value.isFinite {
            let aligned = floor(Int64(timestamp.timeIntervalSince1970.rounded(.down)), period)
            guard aligned >= start, aligned < end else { continue }
            byStart[aligned] = value
        }
        return byStart.keys.sorted().compactMap { periodStart in
            guard let value = byStart[periodStart] else { return nil }
            return MetricPoint(
                t: ISO8601.string(from: Date(timeIntervalSince1970: Double(periodStart))), v: value,
                partial: Double(periodStart + Int64(period)) > nowSeconds)
        }
    }

    private static func floor(_ seconds: Int64, _ period: Int) -> Int64 {
        let period = Int64(period)
        let quotient = seconds >= 0 ? seconds / period : (seconds - period + 1) / period
        return quotient * period
    }
}
