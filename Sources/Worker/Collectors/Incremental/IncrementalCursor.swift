import Foundation

/// Where an incremental stream stands: the start of its next query, and which of the events at
/// or after that start were published.
///
/// AWS delivers these events late and out of order (CloudTrail event history lags by minutes, a
/// log event is ingested seconds to minutes after its timestamp, in another log stream of the
/// group; Security Hub imports findings with an `UpdatedAt` in the past). So the next query does
/// not start at the newest event published but an **overlap window** behind the point up to which
/// the listing was read (``cover(until:overlap:)``), and ``filter(_:mark:)`` drops the events that
/// were published already. An event is published once, whenever it shows up within the window.
///
/// Published events are remembered as (time, 64-bit hash of the id) pairs from ``start`` on, at
/// most ``seenLimit`` of them. Past the limit the oldest times are forgotten and the start moves
/// just past them: the window shrinks for a stream that publishes more than `seenLimit` events per
/// window, and the events forgotten are never published again (``evictedTimes`` counts how often
/// that happened). The other choice, forgetting ids but keeping the start, would publish the
/// forgotten events again on every poll.
///
/// Times are epoch milliseconds (the finest unit any of the four APIs compares on). A pure value:
/// no I/O, no clock.
public struct IncrementalCursor: Sendable, Hashable {
    /// Where an event sits on the cursor's line: its time and its de-duplication id.
    public struct Mark: Sendable, Hashable, Comparable {
        public var time: Int64
        public var id: String

        public static func < (lhs: Mark, rhs: Mark) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.id < rhs.id
        }

        /// What the cursor remembers of a published event.
        var seen: Seen { Seen(time: time, hash: Seen.hash(id)) }
    }

    /// A published event as remembered: its time and the FNV-1a 64 hash of its id. Two different
    /// ids at the same millisecond collide with a probability of about 2^-64 per pair.
    struct Seen: Sendable, Hashable, Comparable {
        var time: Int64
        var hash: UInt64

        static func < (lhs: Seen, rhs: Seen) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.hash < rhs.hash
        }

        static func hash(_ id: String) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in id.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            return hash
        }
    }

    public static let defaultSeenLimit = 5_000

    /// Epoch milliseconds where the next query starts (inclusive); `nil` before the first poll.
    public private(set) var start: Int64?
    /// The published events at or after ``start``.
    private(set) var seen: Set<Seen>
    public let seenLimit: Int
    /// How many times the seen limit moved the start forward (not stored; for the poll's log).
    public private(set) var evictedTimes = 0

    public init(start: Int64? = nil, published: [Mark] = [], seenLimit: Int = IncrementalCursor.defaultSeenLimit) {
        self.init(start: start, seen: Set(published.map(\.seen)), seenLimit: seenLimit)
    }

    init(start: Int64?, seen: Set<Seen>, seenLimit: Int) {
        self.seenLimit = max(1, seenLimit)
        self.start = start
        self.seen = start.map { start in seen.filter { $0.time >= start } } ?? []
        enforceLimit()
    }

    /// Nothing polled yet: the first query starts from now minus the initial lookback.
    public var isEmpty: Bool { start == nil }

    /// How many published events the cursor remembers.
    public var seenCount: Int { seen.count }

    /// Where the next query starts (inclusive): the cursor's start, or `fallback` when empty.
    public func startDate(or fallback: Date) -> Date {
        guard let start else { return fallback }
        return Self.date(milliseconds: start)
    }

    /// Whether `mark` was published (or lies before the window, where it was or is given up).
    public func contains(_ mark: Mark) -> Bool {
        if let start, mark.time < start { return true }
        return seen.contains(mark.seen)
    }

    /// The events not yet published, oldest first (sorted by time, then id): drops events before
    /// the start, events already published, and repeats within `events`.
    public func filter<Event>(_ events: [Event], mark: (Event) -> Mark) -> [Event] {
        var accepted: [(Mark, Event)] = []
        var keys = Set<Mark>()
        for event in events {
            let key = mark(event)
            if contains(key) { continue }
            guard keys.insert(key).inserted else { continue }
            accepted.append((key, event))
        }
        return accepted.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The start of an empty cursor: where its first query starts (the initial lookback), so the
    /// window never reaches further back than that.
    public mutating func begin(at time: Int64) {
        if start == nil { start = time }
    }

    /// Remembers `marks` as published.
    public mutating func record(_ marks: some Sequence<Mark>) {
        for mark in marks where !contains(mark) {
            seen.insert(mark.seen)
        }
        enforceLimit()
    }

    /// The listing was read completely up to `time` (epoch milliseconds): the next query starts
    /// `overlap` milliseconds before it (never earlier than it starts now), and what was published
    /// before that is forgotten.
    public mutating func cover(until time: Int64, overlap: Int64) {
        let (candidate, overflow) = time.subtractingReportingOverflow(max(0, overlap))
        let newStart = overflow ? Int64.min : candidate
        guard start.map({ newStart > $0 }) ?? true else { return }
        start = newStart
        seen = seen.filter { $0.time >= newStart }
    }

    /// Past the seen limit, forgets whole milliseconds, oldest first, and starts just after them.
    private mutating func enforceLimit() {
        guard seen.count > seenLimit else { return }
        let sorted = seen.sorted()
        let cut = sorted[seen.count - seenLimit - 1].time
        let newStart = cut == Int64.max ? cut : cut + 1
        start = max(start ?? newStart, newStart)
        seen = seen.filter { $0.time >= newStart }
        evictedTimes += 1
    }

    /// The earliest and latest dates a cursor holds: years 1970 to 9999. AWS answers outside that
    /// range are bad input, not events.
    public static let validDates = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799.999)

    /// ``validDates`` in epoch milliseconds.
    public static let validMilliseconds: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Epoch milliseconds, rounded down, except that a value within a microsecond of a whole
    /// millisecond is that millisecond (`1589086345.905` is 1589086345905 despite binary floating
    /// point). Rounding down keeps a query starting at the cursor inclusive of its events. `nil`
    /// for a date outside ``validDates`` (or not finite).
    public static func milliseconds(_ date: Date) -> Int64? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, validDates.contains(date) else { return nil }
        let value = seconds * 1_000
        let nearest = value.rounded()
        // Within 1970 to 9999 the value fits Int64 milliseconds; `exactly` keeps that a proof, not a trap.
        return Int64(exactly: abs(value - nearest) < 1e-3 ? nearest : value.rounded(.down))
    }

    /// The date of epoch milliseconds `time`.
    public static func date(milliseconds time: Int64) -> Date {
        Date(timeIntervalSince1970: Double(time) / 1_000)
    }

    public static func == (lhs: IncrementalCursor, rhs: IncrementalCursor) -> Bool {
        lhs.start == rhs.start && lhs.seen == rhs.seen && lhs.seenLimit == rhs.seenLimit
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(start)
        hasher.combine(seen)
        hasher.combine(seenLimit)
    }
}

extension IncrementalCursor.Mark {
    /// `nil` for a date outside the range a cursor can hold (``IncrementalCursor/milliseconds(_:)``).
    public init?(date: Date, id: String) {
        guard let time = IncrementalCursor.milliseconds(date) else { return nil }
        self.init(time: time, id: id)
    }
}
