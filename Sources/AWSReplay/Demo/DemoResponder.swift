import AWSCapture
import AWSCore
import Foundation
import Logging
import TextFormats

/// Answers the worker's AWS requests with the bundled demo captures (``DemoCaptures``), filled
/// from the clock at serve time, so a first run without AWS credentials shows live data through
/// the real path: SigV4, libcurl, the wire protocols, the service clients and the collectors.
///
/// Everything moves and nothing runs out: metric values are waves plus noise computed from the
/// time (the still-filling period changes on every poll); CloudTrail, Logs, Security Hub and
/// Health events happen on a fixed cadence, each with a new unique id and its own time, so the
/// incremental cursors keep advancing; costs are the month to date with a forecast. The same
/// time always gives the same answer, so a test can pin the clock.
public struct DemoResponder: ReplayRequestHandler {
    /// The fixed credentials the demo signs with (the responder accepts any signature): never
    /// real ones, so nothing real can leak into a demo and no demo key can reach AWS.
    public static let accessKeyID = "AKIDDEMOAWSREALTIME0"
    public static let secretAccessKey = "demo/secret/not-a-real-aws-key/0000000000"

    /// Seconds between two events of each incremental stream.
    enum Cadence {
        static let logs = 2.0
        static let activity = 15.0
        static let security = 40.0
        static let health = 90.0
    }

    /// The region and account stamped into ARNs and events: the responder's own, or the caller's
    /// (``DemoCaller``) while it answers one request.
    let region: String
    let account: String
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - region: the region stamped into ARNs and events.
    ///   - now: the wall clock the answers are computed from.
    public init(region: String = "eu-west-1", logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(region: region, account: DemoCaptures.account, logger: logger, now: now)
    }

    private init(region: String, account: String, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.region = region
        self.account = account
        self.logger = logger
        self.now = now
    }

    public func respond(to request: CapturedRequest) async -> ReplayAction {
        .respond(response(to: request), delay: .zero)
    }

    /// The answer to `captured` at the responder's current time, in the account and region it
    /// was signed for.
    public func response(to captured: CapturedRequest) -> AWSHTTPResponse {
        let caller = DemoCaller(captured, defaultAccount: account, defaultRegion: region)
        return DemoResponder(region: caller.region, account: caller.account, logger: logger, now: now)
            .answer(captured)
    }

    private func answer(_ captured: CapturedRequest) -> AWSHTTPResponse {
        let request = DemoRequest(captured)
        let date = now()
        let seconds = date.timeIntervalSince1970
        let body: String?
        switch request.operation {
        case "GetCallerIdentity": body = fill(DemoCaptures.getCallerIdentity, [:], slot: Int(seconds))
        case "AssumeRole":
            switch assumeRole(request, now: seconds) {
            case .answer(let answer): body = answer
            case .refused(let error):
                return ReplayResponder.finish(error.response(for: request.wire, request: captured), now: date, dateOffset: 0)
            }
        case "ListMetrics": body = listMetrics(request, now: seconds)
        case "GetMetricData": body = getMetricData(request, now: seconds)
        case "FilterLogEvents": body = filterLogEvents(request, now: seconds)
        case "LookupEvents": body = lookupEvents(request, now: seconds)
        case "GetFindings": body = getFindings(request, now: seconds)
        case "DescribeEvents": body = describeEvents(request, now: seconds)
        case "GetCostAndUsage": body = getCostAndUsage(request, now: seconds)
        case "GetCostForecast": body = getCostForecast(request, now: seconds)
        default: body = nil
        }
        guard let body else {
            logger.info("The demo has no answer for this operation", metadata: ["aws.operation": "\(request.operation)"])
            let error = CaptureErrorResponse(
                status: 400, code: "DemoUnsupportedOperation",
                message: "The bundled demo captures do not cover \(request.operation); set AWS credentials to call AWS")
            return ReplayResponder.finish(error.response(for: request.wire, request: captured), now: date, dateOffset: 0)
        }
        let contentType =
            switch request.wire {
            case .awsQuery: "text/xml"
            case .awsJSON(let version): "application/x-amz-json-\(version)"
            case .restJSON: "application/json"
            }
        let headers = [
            AWSHTTPHeader("x-amzn-RequestId", DemoSignal.uuid("request", Int(seconds * 1000))),
            AWSHTTPHeader("Content-Type", contentType),
        ]
        return ReplayResponder.finish(
            AWSHTTPResponse(status: 200, headers: headers, body: Array(body.utf8)), now: date, dateOffset: 0)
    }

    /// `template` filled with `values` plus the demo's account, region and a request id.
    func fill(_ template: String, _ values: [String: String], slot: Int) -> String {
        var all = values
        all["account"] = all["account"] ?? account
        all["region"] = all["region"] ?? region
        all["requestId"] = all["requestId"] ?? DemoSignal.uuid("request", slot)
        return TextTemplate(template).render(all)
    }

    /// The slots `k` whose time `k * every + offset` lies in `[start, end]`, the newest `limit`
    /// of them, oldest first.
    static func slots(every: Double, offset: Double = 0, from start: Double, to end: Double, limit: Int) -> [Int] {
        guard end >= start, every > 0, limit > 0 else { return [] }
        let first = Int(((start - offset) / every).rounded(.up))
        let last = Int(((end - offset) / every).rounded(.down))
        guard last >= first else { return [] }
        return Array(max(first, last - limit + 1)...last)
    }
}
