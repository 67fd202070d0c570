import Foundation

/// Time arithmetic and formats of the demo: epoch seconds in, AWS's spellings out (ISO 8601,
/// `yyyy-MM-dd`), locale-free.
enum DemoClock {
    /// `2026-11-27T02:08:00Z`, or with milliseconds `2026-11-27T02:08:00.000Z`.
    static func iso8601(_ seconds: Double, milliseconds: Bool = false) -> String {
        let whole = Int(seconds.rounded(.down))
        let civil = HTTPDate.civil(epochSeconds: whole)
        var text = "\(civil.year)-\(HTTPDate.two(civil.month))-\(HTTPDate.two(civil.day))T"
        text += "\(HTTPDate.two(civil.hour)):\(HTTPDate.two(civil.minute)):\(HTTPDate.two(civil.second))"
        if milliseconds {
            let fraction = Int(((seconds - Double(whole)) * 1000).rounded(.down))
            text += "." + String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
        }
        return text + "Z"
    }

    /// `2026-11-27`.
    static func day(_ seconds: Int) -> String {
        let civil = HTTPDate.civil(epochSeconds: seconds)
        return "\(civil.year)-\(HTTPDate.two(civil.month))-\(HTTPDate.two(civil.day))"
    }

    /// Midnight UTC of `2026-11-27`, in epoch seconds.
    static func parseDay(_ text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        // Howard Hinnant's days-from-civil.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * 86_400
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
