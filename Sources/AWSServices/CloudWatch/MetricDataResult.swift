import Foundation

/// One series of a `GetMetricData` answer: `timestamps[i]` goes with `values[i]`.
public struct MetricDataResult: Sendable, Hashable {
    public var id: String
    public var label: String?
    public var statusCode: StatusCode = .complete
    public var timestamps: [Date] = []
    public var values: [Double] = []
    public var messages: [MetricDataMessage] = []

    /// Whether all of the series' data in the range was returned (after pagination, the last
    /// page's status is the series' status).
    public struct StatusCode: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public static let complete = StatusCode(rawValue: "Complete")
        /// More points follow on the next page (`NextToken`).
        public static let partialData = StatusCode(rawValue: "PartialData")
        public static let internalError = StatusCode(rawValue: "InternalError")
        /// The caller may not read this metric (cross-account).
        public static let forbidden = StatusCode(rawValue: "Forbidden")

        public var description: String { rawValue }
    }
}

/// A message CloudWatch attaches to a series or to the whole answer (`Code`, `Value`).
public struct MetricDataMessage: Sendable, Hashable {
    public var code: String
    public var value: String
}

/// One page of one `GetMetricData` request.
public struct GetMetricDataPage: Sendable, Hashable, AWSPage {
    public var results: [MetricDataResult] = []
    /// Messages about the request as a whole.
    public var messages: [MetricDataMessage] = []
    public var nextToken: String?
}

/// Every series of a `GetMetricData` call, pages merged by `Id`, in the order of first appearance.
public struct GetMetricDataOutput: Sendable, Hashable {
    public var results: [MetricDataResult]
    public var messages: [MetricDataMessage]
    /// Requests made: batches times pages.
    public var requests: Int

    /// The series with that `Id`.
    public func result(id: String) -> MetricDataResult? {
        results.first { $0.id == id }
    }
}

/// Appends pages to series by `Id`.
struct MetricDataMerger {
    private(set) var results: [MetricDataResult] = []
    private(set) var messages: [MetricDataMessage] = []
    private var indexByID: [String: Int] = [:]

    mutating func add(_ page: GetMetricDataPage) {
        messages += page.messages
        for result in page.results {
            guard let index = indexByID[result.id] else {
                indexByID[result.id] = results.count
                results.append(result)
                continue
            }
            results[index].timestamps += result.timestamps
            results[index].values += result.values
            results[index].messages += result.messages
            results[index].statusCode = result.statusCode
            if results[index].label == nil { results[index].label = result.label }
        }
    }
}
