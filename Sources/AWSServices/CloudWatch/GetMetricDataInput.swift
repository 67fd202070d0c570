import AWSCore
import Foundation

/// A `GetMetricData` call: any number of queries over one time range. The client sends them in
/// batches of at most ``maxQueriesPerRequest`` and follows `NextToken` within each batch.
public struct GetMetricDataInput: Sendable, Hashable {
    /// CloudWatch takes at most 500 queries per request.
    public static let maxQueriesPerRequest = 500

    public var queries: [MetricDataQuery]
    public var startTime: Date
    public var endTime: Date
    public var scanBy: ScanBy
    /// The most data points one request returns (CloudWatch's default and maximum: 100,800).
    public var maxDatapoints: Int?

    public init(
        queries: [MetricDataQuery], startTime: Date, endTime: Date, scanBy: ScanBy = .timestampAscending,
        maxDatapoints: Int? = nil
    ) {
        self.queries = queries
        self.startTime = startTime
        self.endTime = endTime
        self.scanBy = scanBy
        self.maxDatapoints = maxDatapoints
    }

    /// The order of each series' data points.
    public struct ScanBy: Sendable, Hashable {
        let rawValue: String

        public static let timestampAscending = ScanBy(rawValue: "TimestampAscending")
        public static let timestampDescending = ScanBy(rawValue: "TimestampDescending")
    }

    func queryInput(batch: ArraySlice<MetricDataQuery>, nextToken: String?) -> JSONValue {
        var members: JSONValueObject = [
            "MetricDataQueries": .array(batch.map(\.queryInput)),
            "StartTime": .string(AWSTimestamp.iso8601(startTime)),
            "EndTime": .string(AWSTimestamp.iso8601(endTime)),
            "ScanBy": .string(scanBy.rawValue),
        ]
        if let maxDatapoints { members["MaxDatapoints"] = .integer(Int64(maxDatapoints)) }
        if let nextToken { members["NextToken"] = .string(nextToken) }
        return .object(members)
    }
}
