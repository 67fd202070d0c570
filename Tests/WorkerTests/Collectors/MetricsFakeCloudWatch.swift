import AWSServices
import Foundation
import Payloads
import Synchronization
import TestSupport

/// A CloudWatch on loopback answering `ListMetrics` from a list and `GetMetricData` from a
/// function of the query and the requested range; it counts the requests of each operation.
final class MetricsFakeCloudWatch: Sendable {
    struct Query: Sendable {
        var id: String
        var namespace: String
        var metricName: String
        var dimensions: [String: String]
        var stat: String
        var period: Int
    }

    typealias Points = @Sendable (Query, _ start: Date, _ end: Date) -> [(Date, Double)]

    let metrics: [CloudWatchMetric]
    let points: Points
    /// `ListMetrics` pages hold this many metrics.
    let listPageSize: Int
    private let failing = Mutex(false)
    private let log = Mutex<(operations: [String], queriesPerRequest: [Int], listNamespaces: [String])>(([], [], []))

    init(metrics: [CloudWatchMetric] = [], listPageSize: Int = 500, points: @escaping Points = { _, _, _ in [] }) {
        self.metrics = metrics
        self.points = points
        self.listPageSize = listPageSize
    }

    func requests(of operation: String) -> Int {
        log.withLock { $0.operations.filter { $0 == operation }.count }
    }

    /// While true, `ListMetrics` answers 403 `AccessDenied`.
    var isListFailing: Bool {
        get { failing.withLock { $0 } }
        set { failing.withLock { $0 = newValue } }
    }

    var queriesPerRequest: [Int] { log.withLock { $0.queriesPerRequest } }
    var listedNamespaces: [String] { log.withLock { $0.listNamespaces } }

    var handler: HTTPTestServer.Handler {
        { request in self.answer(request) }
    }

    private func answer(_ request: RecordedRequest) -> ScriptedResponse {
        let fields = request.collectorFormFields
        let action = fields["Action"] ?? ""
        log.withLock { $0.operations.append(action) }
        switch action {
        case "ListMetrics": return listMetrics(fields)
        case "GetMetricData": return getMetricData(fields)
        default:
            return .respond(status: 400, headers: [("Content-Type", "text/xml")], body: Self.error("InvalidAction", action))
        }
    }

    private func listMetrics(_ fields: [String: String]) -> ScriptedResponse {
        let namespace = fields["Namespace"]
        log.withLock { $0.listNamespaces.append("\(namespace ?? "") \(fields["RecentlyActive"] ?? "")") }
        if isListFailing {
            return .respond(
                status: 403, headers: [("Content-Type", "text/xml")], body: Self.error("AccessDenied", "not authorized"))
        }
        let matching = metrics.filter { namespace == nil || $0.namespace == namespace }
        let start = Int(fields["NextToken"] ?? "0") ?? 0
        let page = matching.dropFirst(start).prefix(listPageSize)
        let next = start + page.count < matching.count ? "<NextToken>\(start + page.count)</NextToken>" : ""
        let members = page.map { metric in
            let dimensions = metric.dimensions.map { "<member><Name>\($0.name)</Name><Value>\($0.value)</Value></member>" }
            return "<member><Namespace>\(metric.namespace)</Namespace><MetricName>\(metric.metricName)</MetricName>"
                + "<Dimensions>\(dimensions.joined())</Dimensions></member>"
        }
        let body =
            "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ListMetricsResult><Metrics>"
            + members.joined() + "</Metrics>\(next)</ListMetricsResult></ListMetricsResponse>"
        return .respond(headers: [("Content-Type", "text/xml")], body: body)
    }

    private func getMetricData(_ fields: [String: String]) -> ScriptedResponse {
        guard let start = fields["StartTime"].flatMap(Self.parseTime), let end = fields["EndTime"].flatMap(Self.parseTime) else {
            return .respond(
                status: 400, headers: [("Content-Type", "text/xml")], body: Self.error("InvalidParameterValue", "time"))
        }
        var queries: [Query] = []
        var index = 1
        while let id = fields["MetricDataQueries.member.\(index).Id"] {
            let prefix = "MetricDataQueries.member.\(index).MetricStat."
            var dimensions: [String: String] = [:]
            var dimension = 1
            while let name = fields[prefix + "Metric.Dimensions.member.\(dimension).Name"] {
                dimensions[name] = fields[prefix + "Metric.Dimensions.member.\(dimension).Value"] ?? ""
                dimension += 1
            }
            queries.append(
                Query(
                    id: id, namespace: fields[prefix + "Metric.Namespace"] ?? "",
                    metricName: fields[prefix + "Metric.MetricName"] ?? "", dimensions: dimensions,
                    stat: fields[prefix + "Stat"] ?? "", period: Int(fields[prefix + "Period"] ?? "") ?? 0))
            index += 1
        }
        log.withLock { $0.queriesPerRequest.append(queries.count) }
        let results = queries.map { query in
            let series = points(query, start, end)
            let timestamps = series.map { "<member>\(Self.formatTime($0.0))</member>" }.joined()
            let values = series.map { "<member>\($0.1)</member>" }.joined()
            return "<member><Id>\(query.id)</Id><Label>\(query.metricName)</Label><Timestamps>\(timestamps)</Timestamps>"
                + "<Values>\(values)</Values><StatusCode>Complete</StatusCode></member>"
        }
        let body =
            "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricDataResult>"
            + "<MetricDataResults>\(results.joined())</MetricDataResults><Messages/></GetMetricDataResult>"
            + "</GetMetricDataResponse>"
        return .respond(headers: [("Content-Type", "text/xml")], body: body)
    }

    static func parseTime(_ text: String) -> Date? {
        // `2026-11-27T10:05:00Z` (AWSTimestamp.iso8601), with or without fractional seconds.
        Payloads.ISO8601.date(from: text)
    }

    static func formatTime(_ date: Date) -> String {
        Payloads.ISO8601.string(from: date)
    }

    static func error(_ code: String, _ message: String) -> String {
        "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>\(code)</Code>"
            + "<Message>\(message)</Message></Error><RequestId>1</RequestId></ErrorResponse>"
    }
}
