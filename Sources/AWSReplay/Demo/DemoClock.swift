import Foundation
import TextFormats

/// Time arithmetic and formats of the demo: epoch seconds in, AWS's spellings out (ISO 8601,
/// `yyyy-MM-dd`), locale-free.
enum DemoClock {
    /// `2026-11-27T02:08:00Z`, or with milliseconds `2026-11-27T02:08:00.000Z`.
    static func iso8601(_ seconds: Double, milliseconds: Bool = false) -> String {
        let whole = Int(seconds.rounded(.down))
        let fraction = milliseconds ? Int(((seconds - Double(whole)) * 1000).rounded(.down)) : nil
        return UTCDateTime(secondsSince1970: whole).iso8601(milliseconds: fraction)
    }

    /// `2026-11-27`.
    static func day(_ seconds: Int) -> String {
        UTCDateTime(secondsSince1970: seconds).date.iso8601
    }

    /// Midnight UTC of `2026-11-27`, in epoch seconds.
    static func parseDay(_ text: String) -> Int? {
        guard text.utf8.count == 10, let date = ISO8601Text.civilDate(text) else { return nil }
        return date.daysSince1970 * 86_400
    }

    /// `2026-11-27T02:13:00.000Z` or `2026-11-27T02:13:00Z` in epoch seconds.
    static func parseISO8601(_ text: String) -> Double? {
        ISO8601Text.secondsSince1970(text)
    }
}
