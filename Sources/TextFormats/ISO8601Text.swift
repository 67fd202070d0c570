/// ISO-8601 dates and date-times read from bytes, digit by digit, without a formatter or a locale:
/// `2026-11-27`, `2026-11-27T00:00:00Z`, `2020-06-02T14:02:49.159Z`, `2021-11-18T09:41:02-08:00`.
public enum ISO8601Text {
    /// The day of a `yyyy-MM-dd` that starts `text` (what follows it is not read); `nil` when the
    /// text does not start so, or the month is not 1 to 12 or the day 1 to 31 (the month's length
    /// is the caller's to check).
    public static func civilDate(_ text: String) -> CivilDate? {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return civilDate(base, count: bytes.count)
        }
    }

    /// Seconds since 1970 of an ISO-8601 date-time (``secondsSince1970(_:count:)``).
    public static func secondsSince1970(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return secondsSince1970(base, count: bytes.count)
        }
    }

    /// Seconds since 1970 of `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM|±HHMM]` in `count` bytes
    /// (no time zone means UTC). The fixed layout is read digit by digit.
    public static func secondsSince1970(_ p: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count >= 19, p[13] == 0x3A, p[16] == 0x3A, p[10] == 0x54 || p[10] == 0x74 || p[10] == 0x20,
            let date = civilDate(p, count: count)
        else { return nil }
        guard let hour = digits(p, 11, 2), let minute = digits(p, 14, 2), let second = digits(p, 17, 2),
            hour <= 24, minute <= 59, second <= 60
        else { return nil }
        var seconds = Double(date.daysSince1970 * 86_400 + hour * 3_600 + minute * 60 + second)
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

    static func civilDate(_ p: UnsafePointer<UInt8>, count: Int) -> CivilDate? {
        guard count >= 10, p[4] == 0x2D, p[7] == 0x2D, let year = digits(p, 0, 4), let month = digits(p, 5, 2),
            let day = digits(p, 8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return CivilDate(year: year, month: month, day: day)
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
}
