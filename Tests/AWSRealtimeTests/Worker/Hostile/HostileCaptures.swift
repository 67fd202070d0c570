import AWSCapture
import AWSCore
import Foundation

/// Answers of a hostile or broken AWS endpoint, for the worker processes of
/// ``HostileAnswersProcessTests``: each listing holds one good event and one whose time no AWS
/// answer can carry (1e300 seconds, Int64.max milliseconds), and GetMetricData answers an error
/// whose code would forge a Prometheus series if copied as is.
enum HostileCaptures {
    /// The good events' times: 2026-11-22, epoch seconds and milliseconds.
    static let goodSeconds = 1_795_338_700
    static let forgedSeries = #"forged_series{x="y"}"#

    static let workerStreams = """
          aws-logs: {interval: 1s, logGroups: [/hostile/app], maxEventsPerPoll: 100}
          aws-activity: {interval: 1s}
          aws-health: {interval: 1s}
        """

    static var all: [Capture] { [lookupEvents, filterLogEvents, describeEvents, metricsError] }

    static let lookupEvents = Capture.json11(
        "0001-cloudtrail-LookupEvents.json", target: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
        request: #"{"MaxResults":50}"#,
        response: #"{"Events":[{"EventId":"trail-good","EventName":"StopInstances","EventTime":\#(goodSeconds),"#
            + #""ReadOnly":"false","Username":"deploy","Resources":[]},"#
            + #"{"EventId":"trail-bad","EventName":"StopInstances","EventTime":1e300,"ReadOnly":"false","Resources":[]}]}"#)

    static let filterLogEvents = Capture.json11(
        "0002-logs-FilterLogEvents.json", target: "Logs_20140328.FilterLogEvents",
        request: #"{"logGroupName":"/hostile/app","limit":100}"#,
        response: #"{"events":[{"eventId":"log-good","logStreamName":"s","timestamp":\#(goodSeconds)000,"#
            + #""ingestionTime":\#(goodSeconds)001,"message":"fine"},"#
            + #"{"eventId":"log-bad","logStreamName":"s","timestamp":9223372036854775807,"message":"from the end of time"}]}"#)

    static let describeEvents = Capture.json11(
        "0003-health-DescribeEvents.json", target: "AWSHealth_20160804.DescribeEvents", request: #"{"maxResults":100}"#,
        response: #"{"events":[{"arn":"arn:aws:health:us-east-1::event/EC2/good","service":"EC2","#
            + #""eventTypeCode":"AWS_EC2_OPERATIONAL_ISSUE","eventTypeCategory":"issue","region":"eu-west-1","#
            + #""startTime":\#(goodSeconds),"lastUpdatedTime":\#(goodSeconds).5,"statusCode":"open"},"#
            + #"{"arn":"arn:aws:health:us-east-1::event/EC2/bad","service":"EC2","lastUpdatedTime":1e300,"statusCode":"open"}]}"#)

    /// GetMetricData of ``FailoverCaptures/metricsConfiguration`` answered with HTTP 400 and the code
    /// `Evil"} 1<LF>forged_series{x="y`.
    static var metricsError: Capture {
        var capture = FailoverCaptures.metrics
        capture.name = "0004-monitoring-GetMetricData.json"
        capture.response = CapturedResponse(
            status: 400, headers: [AWSHTTPHeader("Content-Type", "text/xml")],
            body: Array(
                (#"<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type>"#
                    + #"<Code>Evil&quot;} 1&#10;forged_series{x=&quot;y</Code><Message>no</Message></Error>"#
                    + "<RequestId>33333333-4444-5555-6666-777777777777</RequestId></ErrorResponse>").utf8))
        return capture
    }

}
