import Foundation

extension IncrementalCursor {
    /// The cursor entries one incremental cursor is stored under.
    public struct Keys: Sendable, Hashable {
        /// Epoch milliseconds where the next query starts, in decimal.
        public var start: String
        /// The published events from the start on: `offset:hash.hash;offset:hash` with the
        /// offset in milliseconds from the start (decimal) and each id's hash in 16 hex digits.
        public var seen: String
        /// The format before overlap windows (`t`: the newest time published, `ids`: a JSON array
        /// of the ids at that time), read so an upgraded worker continues where the old one stood.
        public var legacyTime: String
        public var legacyIDs: String

        /// `w` and `seen`: the cursor of a stream with one source (activity, security, health).
        public static let single = Keys(start: "w", seen: "seen", legacyTime: "t", legacyIDs: "ids")

        /// `w:<group>` and `seen:<group>`: one log group's cursor in the `aws-logs` cursor.
        public static func logGroup(_ name: String) -> Keys {
            Keys(start: "w:" + name, seen: "seen:" + name, legacyTime: "t:" + name, legacyIDs: "ids:" + name)
        }
    }

    /// Reads the cursor stored under `keys`; absent entries are an empty cursor.
    public init(
        decoding cursor: [String: String], keys: Keys = .single, seenLimit: Int = IncrementalCursor.defaultSeenLimit
    ) throws(IncrementalCursorError) {
        if let text = cursor[keys.start] {
            guard let start = Int64(text) else {
                throw IncrementalCursorError(key: keys.start, message: "'\(text.prefix(40))' is not epoch milliseconds")
            }
            let seen = try Self.decodeSeen(cursor[keys.seen] ?? "", start: start, key: keys.seen, limit: 2 * max(1, seenLimit))
            self.init(start: start, seen: seen, seenLimit: seenLimit)
            return
        }
        guard let text = cursor[keys.legacyTime] else {
            self.init(seenLimit: seenLimit)
            return
        }
        guard let time = Int64(text) else {
            throw IncrementalCursorError(key: keys.legacyTime, message: "'\(text.prefix(40))' is not epoch milliseconds")
        }
        var ids: [String] = []
        if let encoded = cursor[keys.legacyIDs], !encoded.isEmpty {
            do {
                ids = try JSONDecoder().decode([String].self, from: Data(encoded.utf8))
            } catch {
                throw IncrementalCursorError(key: keys.legacyIDs, message: "not a JSON array of strings")
            }
        }
        self.init(start: time, published: ids.map { Mark(time: time, id: $0) }, seenLimit: seenLimit)
    }

    /// Writes this cursor under `keys` (an empty cursor removes them), and removes the legacy entries.
    public func encode(into cursor: inout [String: String], keys: Keys = .single) {
        cursor[keys.legacyTime] = nil
        cursor[keys.legacyIDs] = nil
        guard let start else {
            cursor[keys.start] = nil
            cursor[keys.seen] = nil
            return
        }
        cursor[keys.start] = String(start)
        cursor[keys.seen] = Self.encodeSeen(seen, start: start)
    }

    /// This cursor as a stored cursor of its own.
    public func encoded(keys: Keys = .single) -> [String: String] {
        var cursor: [String: String] = [:]
        encode(into: &cursor, keys: keys)
        return cursor
    }

    static func encodeSeen(_ seen: Set<Seen>, start: Int64) -> String {
        var text = ""
        var currentTime: Int64?
        for entry in seen.sorted() {
            if entry.time != currentTime {
                if currentTime != nil { text += ";" }
                text += String(entry.time - start) + ":"
                currentTime = entry.time
            } else {
                text += "."
            }
            let hex = String(entry.hash, radix: 16)
            text += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return text
    }

    /// Parses at most `limit` entries (a damaged or foreign value cannot make it work without bound).
    static func decodeSeen(_ text: String, start: Int64, key: String, limit: Int) throws(IncrementalCursorError) -> Set<Seen> {
        var seen = Set<Seen>()
        guard !text.isEmpty else { return seen }
        for group in text.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            let parts = group.split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let offset = Int64(Substring(parts[0])), offset >= 0 else {
                throw IncrementalCursorError(key: key, message: "not offset:hash groups")
            }
            let (time, overflow) = start.addingReportingOverflow(offset)
            guard !overflow else { throw IncrementalCursorError(key: key, message: "an offset past the largest time") }
            for hashText in parts[1].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
                guard hashText.count == 16, let hash = UInt64(Substring(hashText), radix: 16) else {
                    throw IncrementalCursorError(key: key, message: "a hash that is not 16 hex digits")
                }
                seen.insert(Seen(time: time, hash: hash))
                guard seen.count <= limit else {
                    throw IncrementalCursorError(key: key, message: "more than \(limit) entries")
                }
            }
        }
        return seen
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
