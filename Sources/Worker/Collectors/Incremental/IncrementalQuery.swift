import Foundation
import Logging

/// The time range of one incremental poll: from the cursor's start (or the initial lookback on
/// the first poll) to now, in epoch milliseconds, with the cursor begun at that start.
struct IncrementalQuery {
    var cursor: IncrementalCursor
    var start: Date
    var end: Date
    /// `end` in epoch milliseconds: what the listing covers once read to its end.
    var endMilliseconds: Int64

    /// Nil when the clock is outside the dates a cursor can hold (a broken clock, not AWS input).
    init?(cursor: IncrementalCursor, now: Date, initialLookback: Duration) {
        guard let end = IncrementalCursor.milliseconds(now) else { return nil }
        var cursor = cursor
        let lookback = Int64(min(initialLookback.seconds, 100 * 366 * 86_400) * 1_000)
        cursor.begin(at: max(0, end - lookback))
        self.cursor = cursor
        self.start = cursor.startDate(or: now)
        self.end = now
        self.endMilliseconds = end
    }
}

extension IncrementalCursor.Mark {
    /// The mark of an event at `date`, or nil (logged as bad input naming the API and field) for
    /// an event without the date or with one outside 1970 to 9999: an endpoint that answers such a
    /// time is broken or hostile, and the event cannot be placed on the cursor's line.
    static func checked(
        _ date: Date?, id: String, operation: String, field: String, logger: Logger
    ) -> IncrementalCursor.Mark? {
        var metadata: Logger.Metadata = [
            "aws.operation": "\(operation)", "aws.field": "\(field)", "aws.event.id": "\(id.prefix(200))",
        ]
        guard let date else {
            logger.warning("Event skipped: it has no time", metadata: metadata)
            return nil
        }
        guard let mark = IncrementalCursor.Mark(date: date, id: id) else {
            metadata["aws.value"] = "\(date.timeIntervalSince1970)"
            logger.warning("Event skipped: its time is outside 1970 to 9999", metadata: metadata)
            return nil
        }
        return mark
    }

    /// The same for a time given in epoch milliseconds.
    static func checked(
        milliseconds: Int64, id: String, operation: String, field: String, logger: Logger
    ) -> IncrementalCursor.Mark? {
        checked(IncrementalCursor.date(milliseconds: milliseconds), id: id, operation: operation, field: field, logger: logger)
    }
}
