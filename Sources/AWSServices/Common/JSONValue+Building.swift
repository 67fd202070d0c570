import AWSCore
import Foundation

/// The members of a JSON object being built for a request.
typealias JSONValueObject = [String: JSONValue]

extension JSONValue {
    /// An epoch-seconds timestamp as JSON 1.1 APIs take it: an integer when whole, else a number.
    static func epochSeconds(_ date: Date) -> JSONValue {
        let seconds = date.timeIntervalSince1970
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return .integer(Int64(seconds)) }
        return .double(seconds)
    }

    /// Epoch milliseconds (CloudWatch Logs).
    static func epochMilliseconds(_ date: Date) -> JSONValue {
        .integer(Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)))
    }
}
