import AWSCore
import Foundation

/// The members of a JSON object being built for a request.
typealias JSONValueObject = [String: JSONValue]

extension JSONValue {
    /// An epoch-seconds timestamp as JSON 1.1 APIs take it: an integer when whole, else a number.
    /// A date outside 1970 to 9999 (or not finite) is sent as the nearest end of that range.
    static func epochSeconds(_ date: Date) -> JSONValue {
        let seconds = clamped(date.timeIntervalSince1970, to: AWSTimestamp.validSeconds)
        if seconds == seconds.rounded() { return .integer(Int64(seconds)) }
        return .double(seconds)
    }

    /// Epoch milliseconds (CloudWatch Logs), clamped as ``epochSeconds(_:)``.
    static func epochMilliseconds(_ date: Date) -> JSONValue {
        let milliseconds = clamped((date.timeIntervalSince1970 * 1_000).rounded(.down), to: 0...253_402_300_799_999)
        return .integer(Int64(milliseconds))
    }

    /// `value` within `range`; NaN is the lower bound.
    private static func clamped(_ value: Double, to range: ClosedRange<Double>) -> Double {
        guard !value.isNaN else { return range.lowerBound }
        return min(max(value, range.lowerBound), range.upperBound)
    }
}
