/// A Redis-style stream entry id, `<milliseconds>-<sequence>`, ordered numerically.
public struct BusMessageID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: UInt64
    public var sequence: UInt64

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `1732665600000-0` (a bare `1732665600000` means sequence 0); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let milliseconds = UInt64(first) else { return nil }
        if parts.count == 2 {
            guard let sequence = UInt64(parts[1]) else { return nil }
            self.init(milliseconds: milliseconds, sequence: sequence)
        } else {
            self.init(milliseconds: milliseconds, sequence: 0)
        }
    }

    public static let zero = BusMessageID(milliseconds: 0, sequence: 0)

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (lhs: BusMessageID, rhs: BusMessageID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    /// The id a new entry gets at `milliseconds` after this one: Redis's rule (time, or the
    /// last time with the next sequence when the clock has not moved on).
    func next(at milliseconds: UInt64) -> BusMessageID {
        milliseconds > self.milliseconds
            ? BusMessageID(milliseconds: milliseconds, sequence: 0)
            : BusMessageID(milliseconds: self.milliseconds, sequence: sequence + 1)
    }
}
