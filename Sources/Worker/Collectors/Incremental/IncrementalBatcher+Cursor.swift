import Logging

extension IncrementalBatcher {
    /// Batches of `events` (new, oldest first) for a stream with one cursor stored under `keys`
    /// in `stored`: each batch carries `stored` with that cursor advanced past its events.
    func batches<Event, Item: Encodable>(
        _ events: [Event], advancing cursor: IncrementalCursor, keys: IncrementalCursor.Keys = .single,
        in stored: [String: String], mark: (Event) -> IncrementalCursor.Mark, cost: CollectionCost,
        item: (Event) throws -> Item
    ) throws -> [CollectedBatch] {
        var cursor = cursor
        var stored = stored
        return try batches(events, cost: cost, item: item) { published in
            cursor.advance(past: published.lazy.map(mark))
            cursor.encode(into: &stored, keys: keys)
            return stored
        }
    }
}

extension IncrementalCursor {
    /// The cursor stored under `keys`, or an empty one (with a warning) when it cannot be read:
    /// a damaged cursor restarts from the initial lookback instead of stopping the stream.
    static func read(
        _ stored: [String: String], keys: Keys = .single, seenIDLimit: Int, logger: Logger
    ) -> IncrementalCursor {
        do {
            return try IncrementalCursor(decoding: stored, keys: keys, seenIDLimit: seenIDLimit)
        } catch {
            logger.warning(
                "Unreadable cursor; starting again from the initial lookback", metadata: ["worker.cursor.error": "\(error)"])
            return IncrementalCursor(seenIDLimit: seenIDLimit)
        }
    }
}
