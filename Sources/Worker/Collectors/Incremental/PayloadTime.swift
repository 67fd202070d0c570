import Foundation
import Payloads

/// Payload timestamps (ISO-8601 with milliseconds) of AWS times that are epoch milliseconds or
/// fractional epoch seconds, without binary floating point moving them a millisecond back
/// (`1589086345.905` stays `.905`). Times outside 1970 to 9999 have no payload text (an endpoint
/// that answers them is broken or hostile).
enum PayloadTime {
    static func string(milliseconds: Int64) -> String {
        let milliseconds = min(
            max(milliseconds, IncrementalCursor.validMilliseconds.lowerBound), IncrementalCursor.validMilliseconds.upperBound)
        // A quarter millisecond inside the right one, so ISO8601's rounding down lands on it.
        return ISO8601.string(from: Date(timeIntervalSince1970: (Double(milliseconds) + 0.25) / 1_000))
    }

    /// Nil for a date outside 1970 to 9999.
    static func string(from date: Date) -> String? {
        IncrementalCursor.milliseconds(date).map(string(milliseconds:))
    }
}
