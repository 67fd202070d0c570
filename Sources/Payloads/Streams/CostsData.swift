/// `aws-costs` data: month-to-date cost, by day and by group (service by default), and the
/// month's forecast. Amounts are in `currency` (Cost Explorer's unit, normally USD).
public struct CostsData: Codable, Sendable, Equatable {
    /// First day of the month and the exclusive end (`yyyy-MM-dd`).
    public var start: String
    public var end: String
    public var currency: String
    public var total: Double
    /// Cost Explorer marks figures of the last days as estimated until the bill settles.
    public var estimated: Bool
    public var byDay: [Day]
    /// The grouping used for `byGroup` (`SERVICE`, `LINKED_ACCOUNT`, a tag key, ...).
    public var groupBy: String
    public var byGroup: [Group]
    public var forecast: Forecast?

    public struct Day: Codable, Sendable, Equatable {
        public var date: String
        public var amount: Double
        public var estimated: Bool

        public init(date: String, amount: Double, estimated: Bool) {
            self.date = date
            self.amount = amount
            self.estimated = estimated
        }
    }

    public struct Group: Codable, Sendable, Equatable {
        public var key: String
        public var amount: Double

        public init(key: String, amount: Double) {
            self.key = key
            self.amount = amount
        }
    }

    public struct Forecast: Codable, Sendable, Equatable {
        /// The forecast for the whole month (month to date plus the rest).
        public var amount: Double
        public var start: String
        public var end: String

        public init(amount: Double, start: String, end: String) {
            self.amount = amount
            self.start = start
            self.end = end
        }
    }

    public init(
        start: String, end: String, currency: String, total: Double, estimated: Bool, byDay: [Day], groupBy: String,
        byGroup: [Group], forecast: Forecast?
    ) {
        self.start = start
        self.end = end
        self.currency = currency
        self.total = total
        self.estimated = estimated
        self.byDay = byDay
        self.groupBy = groupBy
        self.byGroup = byGroup
        self.forecast = forecast
    }
}
