import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Synchronization
import Worker

/// An AWS for the spend simulation, on loopback: CloudWatch with `metricCount` recently active
/// EC2 metrics (basic monitoring), Cost Explorer, and empty answers of the free APIs. It keeps the
/// call log a bill is made from: every request by operation, the metrics each `GetMetricData`
/// asked for, and whether a client was watching (by the simulated clock) when it came.
final class SimulatedAWS: ReplayRequestHandler, Sendable {
    struct Entry: Sendable {
        var operation: String
        var metricsRequested: Int
        var isWatched: Bool
    }

    let metricCount: Int
    let clock: WorkerClock
    let isWatched: @Sendable (Date) -> Bool
    private let log = Mutex<[Entry]>([])

    static let metricNames = ["CPUUtilization", "NetworkIn", "NetworkOut", "DiskReadOps", "StatusCheckFailed"]

    init(metricCount: Int, clock: WorkerClock, isWatched: @escaping @Sendable (Date) -> Bool) {
        self.metricCount = metricCount
        self.clock = clock
        self.isWatched = isWatched
    }

    var entries: [Entry] { log.withLock { $0 } }

    func respond(to request: CapturedRequest) async -> ReplayAction {
        let form = Dictionary(
            CaptureForm.parse(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) },
            uniquingKeysWith: { first, _ in first })
        let target = request.header("X-Amz-Target").map { String($0.split(separator: ".").last ?? "") }
        let operation = form["Action"] ?? target ?? (request.path == "/findings" ? "GetFindings" : "unknown")
        let metrics = form.keys.filter { $0.hasPrefix("MetricDataQueries.member.") && $0.hasSuffix(".Id") }.count
        log.withLock {
            $0.append(Entry(operation: operation, metricsRequested: metrics, isWatched: isWatched(clock.now())))
        }
        switch operation {
        case "ListMetrics": return Self.xml(listMetrics(namespace: form["Namespace"] ?? ""))
        case "GetMetricData": return Self.xml(getMetricData(form))
        case "GetCostAndUsage":
            return Self.json(
                #"{"GroupDefinitions":[{"Type":"DIMENSION","Key":"SERVICE"}],"ResultsByTime":[{"TimePeriod":"#
                    + #"{"Start":"2026-12-01","End":"2026-12-02"},"Total":{},"Groups":[{"Keys":["Amazon EC2"],"#
                    + #""Metrics":{"UnblendedCost":{"Amount":"12.5","Unit":"USD"}}}],"Estimated":true}]}"#)
        case "GetCostForecast":
            return Self.json(#"{"Total":{"Amount":"380","Unit":"USD"},"ForecastResultsByTime":[]}"#)
        case "LookupEvents": return Self.json(#"{"Events":[]}"#)
        case "FilterLogEvents": return Self.json(#"{"events":[]}"#)
        case "GetFindings": return Self.json(#"{"Findings":[]}"#)
        case "DescribeEvents": return Self.json(#"{"events":[]}"#)
        default: return Self.json(#"{"__type":"UnknownOperationException","message":"not simulated"}"#, status: 400)
        }
    }

    /// The EC2 metrics in one page (ListMetrics pages hold 500); other namespaces have none.
    func listMetrics(namespace: String) -> String {
        var members = ""
        if namespace == "AWS/EC2" {
            for index in 0..<metricCount {
                let name = Self.metricNames[index % Self.metricNames.count]
                let instance = String(format: "i-%08d", index / Self.metricNames.count)
                members +=
                    "<member><Namespace>AWS/EC2</Namespace><MetricName>\(name)</MetricName><Dimensions><member>"
                    + "<Name>InstanceId</Name><Value>\(instance)</Value></member></Dimensions></member>"
            }
        }
        return #"<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult>"#
            + "<Metrics>\(members)</Metrics></ListMetricsResult></ListMetricsResponse>"
    }

    /// Every query answered Complete, with one point (the value does not matter to the bill).
    func getMetricData(_ form: [String: String]) -> String {
        let ids = form.filter { $0.key.hasPrefix("MetricDataQueries.member.") && $0.key.hasSuffix(".Id") }.map(\.value)
        let end = form["EndTime"] ?? "2026-12-01T00:00:00Z"
        let results = ids.sorted().map { id in
            "<member><Id>\(id)</Id><Label>\(id)</Label><Timestamps><member>\(end)</member></Timestamps>"
                + "<Values><member>1.5</member></Values><StatusCode>Complete</StatusCode></member>"
        }.joined()
        return #"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>"#
            + "<MetricDataResults>\(results)</MetricDataResults><Messages/></GetMetricDataResult></GetMetricDataResponse>"
    }

    static func xml(_ body: String) -> ReplayAction {
        respond(body, contentType: "text/xml", status: 200)
    }

    static func json(_ body: String, status: Int = 200) -> ReplayAction {
        respond(body, contentType: "application/x-amz-json-1.1", status: status)
    }

    static func respond(_ body: String, contentType: String, status: Int) -> ReplayAction {
        let bytes = Array(body.utf8)
        return .respond(
            AWSHTTPResponse(
                status: status,
                headers: [
                    AWSHTTPHeader("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000"),
                    AWSHTTPHeader("Content-Type", contentType), AWSHTTPHeader("Content-Length", String(bytes.count)),
                ],
                body: bytes),
            delay: .zero)
    }
}
