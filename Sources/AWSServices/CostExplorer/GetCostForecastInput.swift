import AWSCore

/// A Cost Explorer `GetCostForecast` query: the forecast of one metric over a future period.
public struct GetCostForecastInput: Sendable, Hashable {
    public var timePeriod: CostExplorerDateInterval
    /// `UNBLENDED_COST`, `BLENDED_COST`, `AMORTIZED_COST`, `NET_UNBLENDED_COST`, `NET_AMORTIZED_COST`.
    public var metric: String
    public var granularity: CostExplorerGranularity
    public var filter: JSONValue?
    /// 51 to 99: the confidence of the prediction interval.
    public var predictionIntervalLevel: Int?

    public init(
        timePeriod: CostExplorerDateInterval, metric: String = "UNBLENDED_COST", granularity: CostExplorerGranularity = .monthly,
        filter: JSONValue? = nil, predictionIntervalLevel: Int? = nil
    ) {
        self.timePeriod = timePeriod
        self.metric = metric
        self.granularity = granularity
        self.filter = filter
        self.predictionIntervalLevel = predictionIntervalLevel
    }

    var jsonInput: JSONValue {
        var members: JSONValueObject = [
            "TimePeriod": timePeriod.jsonInput, "Metric": .string(metric), "Granularity": .string(granularity.rawValue),
        ]
        if let filter { members["Filter"] = filter }
        if let predictionIntervalLevel { members["PredictionIntervalLevel"] = .integer(Int64(predictionIntervalLevel)) }
        return .object(members)
    }
}

/// The forecast: a total and one value per period.
public struct GetCostForecastOutput: Sendable, Hashable, Decodable {
    public var total: CostExplorerMetricValue?
    public var forecastResultsByTime: [ForecastResult]

    public struct ForecastResult: Sendable, Hashable, Decodable {
        public var timePeriod: CostExplorerDateInterval
        public var meanValue: String?
        public var predictionIntervalLowerBound: String?
        public var predictionIntervalUpperBound: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            timePeriod = try container.decode(CostExplorerDateInterval.self, forKey: AWSCodingKey("TimePeriod"))
            meanValue = try container.text("MeanValue")
            predictionIntervalLowerBound = try container.text("PredictionIntervalLowerBound")
            predictionIntervalUpperBound = try container.text("PredictionIntervalUpperBound")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        total = try container.optional("Total")
        forecastResultsByTime = try container.list("ForecastResultsByTime")
    }
}
