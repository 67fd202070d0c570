import Foundation
import TextFormats

/// ISO-8601 timestamps as AWS writes them (`2026-11-27T00:00:00Z`, `2020-06-02T14:02:49.159Z`,
/// `2021-11-18T09:41:02-08:00`), parsed from bytes without `DateFormatter`, and written back.
public enum AWSTimestamp {
    /// The times an AWS answer may carry: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, in
    /// seconds since 1970. Every time a response decodes is checked against it, so no later
    /// conversion (to epoch milliseconds, to a payload string) meets a number it cannot hold.
    public static let validSeconds: ClosedRange<Double> = 0...253_402_300_799.999

    /// ``validSeconds`` in epoch milliseconds (CloudWatch Logs writes its times so).
    public static let validMilliseconds: ClosedRange<Int64> = 0...253_402_300_799_999

    /// The date `seconds` after 1970, or `nil` when it is not finite or outside ``validSeconds``.
    public static func date(secondsSince1970 seconds: Double) -> Date? {
        validSeconds.contains(seconds) ? Date(timeIntervalSince1970: seconds) : nil
    }

    /// The date `milliseconds` after 1970, or `nil` when outside ``validMilliseconds``.
    public static func date(millisecondsSince1970 milliseconds: Int64) -> Date? {
        validMilliseconds.contains(milliseconds) ? Date(timeIntervalSince1970: Double(milliseconds) / 1_000) : nil
    }

    /// Why `value` is refused, for error messages (the number as JSON wrote it, in short).
    static func outOfRange(_ value: some CustomStringConvertible) -> String {
        "\(String(value.description.prefix(40))) is not a time between 1970 and 9999"
    }

    /// Parses an ISO-8601 date-time; `nil` when `text` is not one or is outside ``validSeconds``.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return secondsSince1970(base, count: bytes.count).flatMap { date(secondsSince1970: $0) }
        }
    }

    /// `yyyy-MM-dd'T'HH:mm:ss'Z'` (whole seconds, UTC): what query-protocol inputs take.
    public static func iso8601(_ date: Date) -> String {
        format(date, fractionDigits: 0)
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (milliseconds, UTC): what Security Hub filters take.
    public static func iso8601WithMilliseconds(_ date: Date) -> String {
        format(date, fractionDigits: 3)
    }

    /// Seconds since 1970 of `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM|±HHMM]` in `count` bytes
    /// (no time zone means UTC). The fixed layout is read digit by digit.
    static func secondsSince1970(_ p: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count >= 19, p[4] == 0x2D, p[7] == 0x2D, p[13] == 0x3A, p[16] == 0x3A,
            p[10] == 0x54 || p[10] == 0x74 || p[10] == 0x20
        else { return nil }
        guard let year = digits(p, 0, 4), let month = digits(p, 5, 2), let day = digits(p, 8, 2),
            let hour = digits(p, 11, 2), let minute = digits(p, 14, 2), let second = digits(p, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour <= 24, minute <= 59, second <= 60
        else { return nil }
        var seconds = Double(
            CivilDate(year: year, month: month, day: day).daysSince1970 * 86_400 + hour * 3_600 + minute * 60 + second)
        var index = 19
        if index < count, p[index] == 0x2E {
            // Fractional seconds: any number of digits, the first nine count (nanoseconds).
            index += 1
            let start = index
            var fraction = 0
            var scale = 1
            while index < count, p[index] &- 0x30 < 10 {
                if index - start < 9 {
                    fraction = fraction * 10 + Int(p[index] &- 0x30)
                    scale *= 10
                }
                index += 1
            }
            seconds += Double(fraction) / Double(scale)
            guard index > start else { return nil }
        }
        if index == count { return seconds }
        switch p[index] {
        case 0x5A, 0x7A:  // Z
            return index + 1 == count ? seconds : nil
        case 0x2B, 0x2D:  // + or -
            let sign: Double = p[index] == 0x2B ? 1 : -1
            let rest = count - index - 1
            guard rest == 5 || rest == 4, let hours = digits(p, index + 1, 2) else { return nil }
            let minutesAt = rest == 5 ? index + 4 : index + 3
            guard rest == 4 || p[index + 3] == 0x3A, let minutes = digits(p, minutesAt, 2) else { return nil }
            return seconds - sign * Double(hours * 3_600 + minutes * 60)
        default:
            return nil
        }
    }

    @inline(__always)
    static func digits(_ p: UnsafePointer<UInt8>, _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for offset in start..<(start + length) {
            let digit = p[offset] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// A date outside ``validSeconds`` (or not finite) is written as the nearest end of it.
    private static func format(_ date: Date, fractionDigits: Int) -> String {
        let seconds = date.timeIntervalSince1970.isNaN ? 0 : date.timeIntervalSince1970
        let clamped = min(max(seconds, validSeconds.lowerBound), validSeconds.upperBound)
        let milliseconds = Int((clamped * 1_000).rounded(.down))
        let totalSeconds = milliseconds >= 0 ? milliseconds / 1_000 : (milliseconds - 999) / 1_000
        let fraction = fractionDigits > 0 ? milliseconds - totalSeconds * 1_000 : nil
        return UTCDateTime(secondsSince1970: totalSeconds).iso8601(milliseconds: fraction)
    }

}
