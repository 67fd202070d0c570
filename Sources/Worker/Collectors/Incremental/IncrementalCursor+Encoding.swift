import Foundation

extension IncrementalCursor {
    /// The two cursor entries one incremental cursor is stored under.
    public struct Keys: Sendable, Hashable {
        /// Epoch milliseconds of the newest event published, in decimal.
        public var time: String
        /// The ids seen at that time, as a JSON array of strings.
        public var ids: String

        public init(time: String, ids: String) {
            self.time = time
            self.ids = ids
        }

        /// `t` and `ids`: the cursor of a stream with one source (activity, security, health).
        public static let single = Keys(time: "t", ids: "ids")

        /// `t:<group>` and `ids:<group>`: one log group's cursor in the `aws-logs` cursor.
        public static func logGroup(_ name: String) -> Keys {
            Keys(time: "t:" + name, ids: "ids:" + name)
        }
    }

    /// Reads the cursor stored under `keys`; an absent time is an empty cursor.
    public init(
        decoding cursor: [String: String], keys: Keys = .single, seenIDLimit: Int = IncrementalCursor.defaultSeenIDLimit
    ) throws(IncrementalCursorError) {
        guard let text = cursor[keys.time] else {
            self.init(seenIDLimit: seenIDLimit)
            return
        }
        guard let time = Int64(text) else {
            throw IncrementalCursorError(key: keys.time, message: "'\(text.prefix(40))' is not epoch milliseconds")
        }
        var ids: [String] = []
        if let encoded = cursor[keys.ids], !encoded.isEmpty {
            do {
                ids = try JSONDecoder().decode([String].self, from: Data(encoded.utf8))
            } catch {
                throw IncrementalCursorError(key: keys.ids, message: "not a JSON array of strings")
            }
        }
        self.init(time: time, seenIDs: ids, seenIDLimit: seenIDLimit)
    }

    /// Writes this cursor under `keys` (an empty cursor removes them).
    public func encode(into cursor: inout [String: String], keys: Keys = .single) {
        guard let time else {
            cursor[keys.time] = nil
            cursor[keys.ids] = nil
            return
        }
        cursor[keys.time] = String(time)
        cursor[keys.ids] = Self.encodeIDs(seenIDs)
    }

    /// This cursor as a stored cursor of its own.
    public func encoded(keys: Keys = .single) -> [String: String] {
        var cursor: [String: String] = [:]
        encode(into: &cursor, keys: keys)
        return cursor
    }

    private static func encodeIDs(_ ids: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding an array of strings cannot fail; "[]" keeps the cursor readable if it ever did.
        guard let data = try? encoder.encode(ids) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A stored cursor that cannot be read (written by something else, or damaged). The collector
/// starts that cursor afresh from its initial lookback and logs a warning.
public struct IncrementalCursorError: Error, Sendable, CustomStringConvertible {
    /// The cursor entry at fault.
    public var key: String
    public var message: String

    public var description: String { "cursor entry '\(key)': \(message)" }
}
