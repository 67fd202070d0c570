/// A UTC date and time of day to the second, from whole seconds since 1970 (rounded toward
/// negative infinity by the caller), and its textual forms (`UTCDateTime+Text.swift`).
public struct UTCDateTime: Sendable, Hashable {
    public var date: CivilDate
    /// 0...23.
    public var hour: Int
    /// 0...59.
    public var minute: Int
    /// 0...59.
    public var second: Int

    @inlinable
    public init(date: CivilDate, hour: Int, minute: Int, second: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The time `seconds` after 1970-01-01T00:00:00Z (floor division: -1 is 1969-12-31T23:59:59Z).
    @inlinable
    public init(secondsSince1970 seconds: Int) {
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        self.init(
            date: CivilDate(daysSince1970: days), hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60)
    }
}
