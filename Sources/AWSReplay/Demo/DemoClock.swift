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
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (0...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return CivilDate(year: year, month: month, day: day).daysSince1970 * 86_400
    }

    /// `2026-11-27T02:13:00.000Z` or `2026-11-27T02:13:00Z` in epoch seconds.
    static func parseISO8601(_ text: String) -> Double? {
        guard text.count >= 20, let midnight = parseDay(String(text.prefix(10))) else { return nil }
        let time = text.dropFirst(11)
        let fields = time.prefix(8).split(separator: ":")
        guard fields.count == 3, let hour = Int(fields[0]), let minute = Int(fields[1]), let second = Int(fields[2]) else {
            return nil
        }
        var seconds = Double(midnight + hour * 3600 + minute * 60 + second)
        let tail = time.dropFirst(8)
        if tail.hasPrefix("."), let fraction = Double("0" + tail.prefix { $0 != "Z" && $0 != "+" }) { seconds += fraction }
        return seconds
    }
}
