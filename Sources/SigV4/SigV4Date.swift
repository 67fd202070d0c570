#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two forms of the signing time SigV4 uses, in UTC: `X-Amz-Date` (`20150830T123600Z`)
/// and the credential-scope date (`20150830`). Computed arithmetically: no formatter, no locale.
struct SigV4Date: Sendable, Equatable {
    /// `YYYYMMDDTHHMMSSZ`, 16 ASCII bytes.
    let amzDate: [UInt8]
    /// `YYYYMMDD` as a number, the cache key for the signing key.
    let day: Int

    /// `YYYYMMDD`, 8 ASCII bytes.
    var dateStamp: ArraySlice<UInt8> { amzDate[0..<8] }

    init(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secondsOfDay = seconds % 86_400
        if secondsOfDay < 0 {
            secondsOfDay += 86_400
            days -= 1
        }
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        var out: [UInt8] = []
        out.reserveCapacity(16)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        digits(month, 2)
        digits(dayOfMonth, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondsOfDay / 3600, 2)
        digits(secondsOfDay / 60 % 60, 2)
        digits(secondsOfDay % 60, 2)
        out.append(UInt8(ascii: "Z"))
        amzDate = out
        day = year * 10_000 + month * 100 + dayOfMonth
    }
}
