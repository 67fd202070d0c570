import Foundation

/// Where an incremental stream stands: the time of the newest event published and the ids of
/// the events published AT that time. The next poll asks AWS from that time inclusive, and
/// ``filter(_:mark:)`` drops what is older or already seen, so events sharing the boundary
/// timestamp are neither skipped nor published twice.
///
/// Times are epoch milliseconds (the finest unit any of the four APIs compares on).
///
/// The seen ids are bounded by ``seenIDLimit`` (1,000 by default). Past it (more events than
/// that sharing one millisecond) the cursor moves 1 ms past the boundary and forgets the ids:
/// the events published are never repeated, at the price that an event arriving later with
/// exactly that timestamp is skipped. The other choice, evicting ids, would republish the
/// evicted events on every poll.
///
/// A pure value: no I/O, no clock.
public struct IncrementalCursor: Sendable, Hashable {
    /// Where an event sits on the cursor's line: its time and its de-duplication id.
    public struct Mark: Sendable, Hashable, Comparable {
        public var time: Int64
        public var id: String

        public init(time: Int64, id: String) {
            self.time = time
            self.id = id
        }

        public init(date: Date, id: String) {
            self.init(time: IncrementalCursor.milliseconds(date), id: id)
        }

        public static func < (lhs: Mark, rhs: Mark) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.id < rhs.id
        }
    }

    public static let defaultSeenIDLimit = 1_000

    /// Epoch milliseconds of the newest event published; `nil` before the first one.
    public private(set) var time: Int64?
    /// Ids of the events published at ``time``, in publication order.
    public private(set) var seenIDs: [String]
    public let seenIDLimit: Int
    private var seen: Set<String>

    public init(time: Int64? = nil, seenIDs: [String] = [], seenIDLimit: Int = IncrementalCursor.defaultSeenIDLimit) {
        self.seenIDLimit = max(1, seenIDLimit)
        self.time = time
        self.seenIDs = []
        self.seen = []
        if time != nil {
            for id in seenIDs where seen.insert(id).inserted { self.seenIDs.append(id) }
            enforceLimit()
        }
    }

    /// Nothing published yet: the first poll starts from now minus the initial lookback.
    public var isEmpty: Bool { time == nil }

    /// Where the next query starts (inclusive): the cursor time, or `fallback` when empty.
    public func startDate(or fallback: Date) -> Date {
        guard let time else { return fallback }
        return Self.date(milliseconds: time)
    }

    /// The events not yet published, oldest first (sorted by time, then id): drops events older
    /// than the cursor, events at the cursor time already seen, and repeats within `events`.
    public func filter<Event>(_ events: [Event], mark: (Event) -> Mark) -> [Event] {
        var accepted: [(Mark, Event)] = []
        var keys = Set<Mark>()
        for event in events {
            let key = mark(event)
            if let time {
                if key.time < time { continue }
                if key.time == time, seen.contains(key.id) { continue }
            }
            guard keys.insert(key).inserted else { continue }
            accepted.append((key, event))
        }
        return accepted.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The cursor once `mark` is published (marks must come oldest first).
    public mutating func advance(past mark: Mark) {
        if let time, mark.time < time { return }
        if mark.time != time {
            time = mark.time
            seenIDs = []
            seen = []
        }
        guard seen.insert(mark.id).inserted else { return }
        seenIDs.append(mark.id)
        enforceLimit()
    }

    /// The cursor once all of `marks` are published.
    public mutating func advance(past marks: some Sequence<Mark>) {
        for mark in marks { advance(past: mark) }
    }

    private mutating func enforceLimit() {
        guard let time, seenIDs.count > seenIDLimit else { return }
        self.time = time + 1
        seenIDs = []
        seen = []
    }

    /// Epoch milliseconds, rounded down, except that a value within a microsecond of a whole
    /// millisecond is that millisecond (`1589086345.905` is 1589086345905 despite binary floating
    /// point). Rounding down keeps a query starting at the cursor inclusive of its events.
    public static func milliseconds(_ date: Date) -> Int64 {
        let value = date.timeIntervalSince1970 * 1_000
        let nearest = value.rounded()
        // Clamped, never trapped on: a date outside Int64 milliseconds (or NaN) is the nearest end.
        return Int64(exactly: abs(value - nearest) < 1e-3 ? nearest : value.rounded(.down)) ?? (value > 0 ? .max : .min)
    }

    /// The date of epoch milliseconds `time`.
    public static func date(milliseconds time: Int64) -> Date {
        Date(timeIntervalSince1970: Double(time) / 1_000)
    }

    public static func == (lhs: IncrementalCursor, rhs: IncrementalCursor) -> Bool {
        lhs.time == rhs.time && lhs.seenIDs == rhs.seenIDs && lhs.seenIDLimit == rhs.seenIDLimit
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(time)
        hasher.combine(seenIDs)
        hasher.combine(seenIDLimit)
    }
}
