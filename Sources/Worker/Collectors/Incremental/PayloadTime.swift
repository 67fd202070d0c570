import Foundation
import Payloads

/// Payload timestamps (ISO-8601 with milliseconds) of AWS times that are epoch milliseconds or
/// fractional epoch seconds, without binary floating point moving them a millisecond back
/// (`1589086345.905` stays `.905`).
enum PayloadTime {
    static func string(milliseconds: Int64) -> String {
        // A quarter millisecond inside the right one, so ISO8601's rounding down lands on it.
        ISO8601.string(from: Date(timeIntervalSince1970: (Double(milliseconds) + 0.25) / 1_000))
    }

    static func string(from date: Date) -> String {
        string(milliseconds: IncrementalCursor.milliseconds(date))
    }
}
