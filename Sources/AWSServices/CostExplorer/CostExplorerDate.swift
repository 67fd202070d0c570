import AWSCore
import Foundation
import TextFormats

/// A Cost Explorer date, `yyyy-MM-dd` on the wire (a day, no time zone: Cost Explorer counts in
/// UTC). Time periods are half-open: `start` is included, `end` is not.
public struct CostExplorerDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...CivilDate.days(inMonth: month, year: year)).contains(day)
        else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd` (a trailing time, as HOURLY results carry, is ignored).
    public init?(_ text: String) {
        guard let date = ISO8601Text.civilDate(text) else { return nil }
        self.init(year: date.year, month: date.month, day: date.day)
    }

    /// The UTC day of `date`.
    public init(_ date: Date) {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let civil = CivilDate(daysSince1970: days)
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
    }

    /// Midnight UTC at the start of the day.
    public var date: Date {
        Date(timeIntervalSince1970: Double(CivilDate(year: year, month: month, day: day).daysSince1970 * 86_400))
    }

    /// The first day of this day's month.
    public var firstOfMonth: CostExplorerDate {
        CostExplorerDate(uncheckedYear: year, month: month, day: 1)
    }

    /// The day `count` days later (or earlier, for a negative count).
    public func adding(days count: Int) -> CostExplorerDate {
        let civil = CivilDate(daysSince1970: CivilDate(year: year, month: month, day: day).daysSince1970 + count)
        return CostExplorerDate(uncheckedYear: civil.year, month: civil.month, day: civil.day)
    }

    /// The first day of the next month.
    public var firstOfNextMonth: CostExplorerDate {
        month == 12
            ? CostExplorerDate(uncheckedYear: year + 1, month: 1, day: 1)
            : CostExplorerDate(uncheckedYear: year, month: month + 1, day: 1)
    }

    public var description: String {
        CivilDate(year: year, month: month, day: day).iso8601
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}

extension CostExplorerDate: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CostExplorerDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a yyyy-MM-dd date")
        }
        self = date
    }
}

/// A half-open range of days: `start` included, `end` excluded.
public struct CostExplorerDateInterval: Sendable, Hashable, Decodable {
    public var start: CostExplorerDate
    public var end: CostExplorerDate

    public init(start: CostExplorerDate, end: CostExplorerDate) {
        self.start = start
        self.end = end
    }

    /// The month to date: from the first of `today`'s month to `today` (excluded, as Cost
    /// Explorer wants an end after the start: on the first of a month, the whole previous month).
    public static func monthToDate(today: CostExplorerDate) -> CostExplorerDateInterval {
        today.day == 1
            ? CostExplorerDateInterval(start: today.adding(days: -1).firstOfMonth, end: today)
            : CostExplorerDateInterval(start: today.firstOfMonth, end: today)
    }

    var jsonInput: JSONValue {
        .object(["Start": .string(start.description), "End": .string(end.description)])
    }

    private enum CodingKeys: String, CodingKey {
        case start = "Start"
        case end = "End"
    }
}
