import AWSCapture
import AWSCore
import Foundation

/// What the replay server answers the worker processes of the failover tests.
enum FailoverCaptures {
    /// The one configured metric of the tests' `aws-metrics` stream (and the matching request): a
    /// 1-second high-resolution period read as soon as it ends, so every second is one read.
    static let metricsConfiguration = """
          aws-metrics:
            interval: 1s
            settleDelay: 0s
            metrics:
              - {namespace: Custom/App, name: QueueDepth, statistic: Maximum, period: 1}
            discovery: {windowPeriods: 2}
        """

    /// `GetMetricData` of `Custom/App QueueDepth Maximum 60`: every poll of `aws-metrics` is one
    /// request and one envelope.
    static let metrics = Capture(
        name: "0001-monitoring-GetMetricData.json",
        request: CapturedRequest(
            method: "POST", path: "/",
            headers: [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(
                ("Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=m0"
                    + "&MetricDataQueries.member.1.MetricStat.Metric.Namespace=Custom%2FApp"
                    + "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=QueueDepth"
                    + "&MetricDataQueries.member.1.MetricStat.Period=1&MetricDataQueries.member.1.MetricStat.Stat=Maximum"
                    + "&ScanBy=TimestampAscending").utf8)),
        response: CapturedResponse(
            status: 200,
            headers: [
                AWSHTTPHeader("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555"),
                AWSHTTPHeader("Content-Type", "text/xml"),
            ],
            body: Array(
                (#"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>"#
                    + "<MetricDataResults><member><Id>m0</Id><Label>QueueDepth</Label><Timestamps/><Values/>"
                    + "<StatusCode>Complete</StatusCode></member></MetricDataResults><Messages/></GetMetricDataResult>"
                    + "</GetMetricDataResponse>").utf8)))

    static let pageCount = 3
    static let eventsPerPage = 4

    /// The CloudTrail event ids of the listing, newest first as CloudTrail lists them.
    static var eventIDs: [String] {
        (0..<pageCount * eventsPerPage).map { index in
            String(format: "e%07d-0000-4000-8000-000000000000", pageCount * eventsPerPage - index)
        }
    }

    /// `LookupEvents` in three pages of four events, chained by `NextToken` (`page-2`, `page-3`).
    /// Replayed with the tokens matched (not ignored), so every listing starts at page 1 whichever
    /// worker asks, and page N is only served for page N's token.
    static var cloudTrailPages: [Capture] {
        (1...pageCount).map { page in
            var request = #"{"StartTime":1,"EndTime":2,"MaxResults":50"#
            if page > 1 { request += #","NextToken":"page-\#(page)""# }
            request += "}"
            let ids = eventIDs[(page - 1) * eventsPerPage..<page * eventsPerPage]
            let events = ids.map { id in
                // Newer ids are later: e0000012 at ...712, e0000001 at ...701.
                let time = 1_795_338_700 + (Int(id.dropFirst().prefix(7)) ?? 0)
                return #"{"EventId":"\#(id)","EventName":"StopInstances","EventTime":\#(time),"ReadOnly":"false","#
                    + #""Username":"deploy","Resources":[]}"#
            }
            var response = #"{"Events":["# + events.joined(separator: ",") + "]"
            if page < pageCount { response += #","NextToken":"page-\#(page + 1)""# }
            response += "}"
            return Capture.json11(
                String(format: "%04d-cloudtrail-LookupEvents.json", page),
                target: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", request: request,
                response: response, requestID: "22222222-3333-4444-5555-66666666666\(page)")
        }
    }
}
