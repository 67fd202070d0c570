import Foundation
import TextFormats

/// ISO-8601 timestamps as AWS writes them (`2026-11-27T00:00:00Z`, `2020-06-02T14:02:49.159Z`,
/// `2021-11-18T09:41:02-08:00`), read by ``ISO8601Text`` within the times AWS may carry, and
/// written back.
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
        ISO8601Text.secondsSince1970(text).flatMap { date(secondsSince1970: $0) }
    }

    /// `yyyy-MM-dd'T'HH:mm:ss'Z'` (whole seconds, UTC): what query-protocol inputs take.
    public static func iso8601(_ date: Date) -> String {
        format(date, fractionDigits: 0)
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (milliseconds, UTC): what Security Hub filters take.
    public static func iso8601WithMilliseconds(_ date: Date) -> String {
        format(date, fractionDigits: 3)
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
