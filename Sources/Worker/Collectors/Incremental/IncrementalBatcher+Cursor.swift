import Logging

extension IncrementalBatcher {
    /// Batches of `events` (new, oldest first) for a stream with one cursor stored under `keys`
    /// in `stored`: each batch carries `stored` with that cursor moved past its events, and the
    /// poll's cursor has the window moved to `coveredUntil` (the time up to which the listing
    /// was read completely; `nil` when the poll stopped early, then up to its last event).
    func poll<Event, Item: Encodable>(
        _ events: [Event], advancing cursor: IncrementalCursor, keys: IncrementalCursor.Keys = .single,
        in stored: [String: String], mark: (Event) -> IncrementalCursor.Mark, window: IncrementalWindow,
        coveredUntil: Int64?, lateEvents: Int = 0, item: (Event) throws -> Item,
        origin: (Event) -> EventOrigin? = { _ in nil }
    ) throws -> CollectedPoll {
        var cursor = cursor
        var stored = stored
        var batches = try batches(events, item: item, origin: origin) { published in
            let marks = published.map(mark)
            cursor.record(marks)
            if let last = marks.last { cursor.cover(until: last.time, overlap: window.overlapMilliseconds) }
            cursor.encode(into: &stored, keys: keys)
            return stored
        }
        if let coveredUntil { cursor.cover(until: coveredUntil, overlap: window.overlapMilliseconds) }
        cursor.encode(into: &stored, keys: keys)
        // Once the last batch is published the whole listing is: its cursor is the poll's.
        if !batches.isEmpty { batches[batches.count - 1].cursor = stored }
        return CollectedPoll(batches: batches, cursor: stored, lateEvents: lateEvents)
    }
}

extension IncrementalCursor {
    /// The cursor stored under `keys`, or an empty one (with a warning) when it cannot be read:
    /// a damaged cursor restarts from the initial lookback instead of stopping the stream.
    static func read(
        _ stored: [String: String], keys: Keys = .single, seenLimit: Int, logger: Logger
    ) -> IncrementalCursor {
        do {
            return try IncrementalCursor(decoding: stored, keys: keys, seenLimit: seenLimit)
        } catch {
            logger.warning(
                "Unreadable cursor; starting again from the initial lookback", metadata: ["worker.cursor.error": "\(error)"])
            return IncrementalCursor(seenLimit: seenLimit)
        }
    }
}
