import AWSCapture
import AWSCore
import Foundation
import Logging
import Testing
import TextFormats

@testable import AWSReplay

/// The demo responder on its own (no socket): answers computed from a pinned clock, values that
/// move, events with new ids every cycle, and every answer well-formed for its protocol.
@Suite struct DemoResponderTests {
    /// 2026-11-27T10:07:33Z.
    static let t0 = 1_795_774_053.0

    static func responder(at seconds: Double) -> DemoResponder {
        var logger = Logger(label: "aws-realtime.tests.demo")
        logger.logLevel = .warning
        return DemoResponder(region: "eu-west-1", logger: logger, now: { Date(timeIntervalSince1970: seconds) })
    }

    static func json(_ target: String, _ body: String) -> CapturedRequest {
        CapturedRequest(
            method: "POST", path: "/",
            headers: [AWSHTTPHeader("X-Amz-Target", target), AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1")],
            body: Array(body.utf8))
    }

    static func form(_ body: String) -> CapturedRequest {
        CapturedRequest(
            method: "POST", path: "/", headers: [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(body.utf8))
    }

    static func findings(_ body: String) -> CapturedRequest {
        CapturedRequest(
            method: "POST", path: "/findings", headers: [AWSHTTPHeader("Content-Type", "application/json")],
            body: Array(body.utf8))
    }

    static func body(_ response: AWSHTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    static func object(_ response: AWSHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func getMetricData(start: Double, end: Double) -> CapturedRequest {
        form(
            "Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=m0"
                + "&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FEC2"
                + "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUUtilization"
                + "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId"
                + "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=i-0a1b2c3d4e5f60001"
                + "&MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Average"
                + "&StartTime=\(DemoClock.iso8601(start).replacingOccurrences(of: ":", with: "%3A"))"
                + "&EndTime=\(DemoClock.iso8601(end).replacingOccurrences(of: ":", with: "%3A"))&ScanBy=TimestampAscending")
    }

    /// The `<member>` texts of `<Values>` in a GetMetricData answer.
    static func values(_ xml: String) -> [String] {
        guard let open = xml.range(of: "<Values>"), let close = xml.range(of: "</Values>") else { return [] }
        return xml[open.upperBound..<close.lowerBound].components(separatedBy: "<member>").dropFirst().map {
            String($0.prefix { $0 != "<" })
        }
    }

    @Test func metricValuesMoveTheSettledOnesStayAndTheFillingOneChangesEveryPoll() throws {
        let start = (Self.t0 / 60).rounded(.down) * 60 - 600
        let first = Self.body(Self.responder(at: Self.t0).response(to: Self.getMetricData(start: start, end: start + 720)))
        let later = Self.body(Self.responder(at: Self.t0 + 10).response(to: Self.getMetricData(start: start, end: start + 720)))
        #expect(first.hasPrefix("<GetMetricDataResponse"))
        #expect(first.contains("<Id>m0</Id>"))
        let before = Self.values(first)
        let after = Self.values(later)
        #expect(before.count == 11)  // ten settled minutes and the one filling
        #expect(after.count == before.count)
        #expect(Array(before.dropLast()) == Array(after.dropLast()))
        #expect(before.last != after.last)
        #expect(Set(before).count > 5, "values vary: \(before)")
        #expect(before.allSatisfy { (Double($0) ?? -1) >= 0 })
        #expect(first.contains("<member>\(DemoClock.iso8601(start))</member>"))
    }

    @Test func listMetricsAnswersPerNamespace() {
        let responder = Self.responder(at: Self.t0)
        let ec2 = Self.body(responder.response(to: Self.form("Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2")))
        #expect(ec2.contains("<MetricName>CPUUtilization</MetricName>"))
        #expect(!ec2.contains("AWS/Lambda"))
        let none = Self.body(responder.response(to: Self.form("Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FKafka")))
        #expect(none.contains("<Metrics></Metrics>"))
    }

    @Test func cloudTrailEventsAreNewEveryCycleWithRecentTimesAndUniqueIDs() throws {
        func ids(at now: Double, from start: Double) throws -> [String] {
            let response = Self.responder(at: now).response(
                to: Self.json(
                    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
                    #"{"StartTime":\#(Int(start)),"EndTime":\#(Int(now)),"MaxResults":50}"#))
            let events = try #require(try Self.object(response)["Events"] as? [[String: Any]])
            for event in events {
                let time = try #require(event["EventTime"] as? Double)
                #expect(time >= start.rounded(.down) && time <= now)
                let record = try #require(event["CloudTrailEvent"] as? String)
                let parsed = try #require(try JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any])
                #expect(parsed["eventID"] as? String == event["EventId"] as? String)
            }
            return events.compactMap { $0["EventId"] as? String }
        }
        let first = try ids(at: Self.t0, from: Self.t0 - 60)
        let second = try ids(at: Self.t0 + 60, from: Self.t0)
        #expect(first.count == 4 && second.count == 4)
        #expect(Set(first).count == first.count)
        #expect(Set(first).isDisjoint(with: second))
        // The same window asked again gives the same events: the cursor's seen ids drop them.
        #expect(try ids(at: Self.t0, from: Self.t0 - 60) == first)
    }

    @Test func logEventsFollowTheRequestedWindowWithNewIDs() throws {
        func events(from start: Double, to end: Double) throws -> [[String: Any]] {
            let body =
                #"{"logGroupName":"/aws/lambda/orders-api","startTime":\#(Int64(start * 1000)),"endTime":\#(Int64(end * 1000)),"limit":10000}"#
            let response = Self.responder(at: end).response(to: Self.json("Logs_20140328.FilterLogEvents", body))
            return try #require(try Self.object(response)["events"] as? [[String: Any]])
        }
        let first = try events(from: Self.t0 - 10, to: Self.t0)
        let second = try events(from: Self.t0, to: Self.t0 + 10)
        #expect(first.count == 5 && second.count == 5)
        let firstIDs = Set(first.compactMap { $0["eventId"] as? String })
        #expect(firstIDs.count == 5)
        #expect(firstIDs.isDisjoint(with: second.compactMap { $0["eventId"] as? String }))
        for event in first + second {
            let timestamp = try #require(event["timestamp"] as? Int)
            #expect(Double(timestamp) / 1000 >= Self.t0 - 10 && Double(timestamp) / 1000 <= Self.t0 + 10)
            #expect(!(event["message"] as? String ?? "").contains("{{"))
        }
    }

    @Test func findingsAndHealthEventsAreNewEveryCycle() throws {
        func findingIDs(from start: Double, to end: Double) throws -> [String] {
            let body =
                #"{"Filters":{"UpdatedAt":[{"Start":"\#(DemoClock.iso8601(start, milliseconds: true))","End":"\#(DemoClock.iso8601(end, milliseconds: true))"}]},"MaxResults":100}"#
            let object = try Self.object(Self.responder(at: end).response(to: Self.findings(body)))
            let findings = try #require(object["Findings"] as? [[String: Any]])
            for finding in findings {
                let updated = try #require((finding["UpdatedAt"] as? String).flatMap(DemoClock.parseISO8601))
                #expect(updated >= start && updated <= end)
            }
            return findings.compactMap { $0["Id"] as? String }
        }
        let findings = try findingIDs(from: Self.t0 - 400, to: Self.t0)
        #expect(findings.count == 10)
        #expect(try Set(findings).isDisjoint(with: findingIDs(from: Self.t0 + 1, to: Self.t0 + 400)))

        func healthARNs(from start: Double, to end: Double) throws -> [String] {
            let body = #"{"filter":{"lastUpdatedTimes":[{"from":\#(Int(start))}]},"maxResults":100}"#
            let object = try Self.object(
                Self.responder(at: end).response(to: Self.json("AWSHealth_20160804.DescribeEvents", body)))
            return try #require(object["events"] as? [[String: Any]]).compactMap { $0["arn"] as? String }
        }
        let health = try healthARNs(from: Self.t0 - 7 * 86_400, to: Self.t0)
        #expect(health.count == 5)
        #expect(try Set(health).isDisjoint(with: healthARNs(from: Self.t0 + 1, to: Self.t0 + 400)))
    }

    @Test func costsAreTheMonthToDateGrowingTodayWithAForecast() throws {
        let today = DemoClock.day(Int(Self.t0))
        let monthStart = String(today.prefix(8)) + "01"
        let body =
            #"{"TimePeriod":{"Start":"\#(monthStart)","End":"2026-11-28"},"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"}]}"#
        func todaysTotal(at now: Double) throws -> (days: Int, total: Double) {
            let object = try Self.object(
                Self.responder(at: now).response(to: Self.json("AWSInsightsIndexService.GetCostAndUsage", body)))
            let days = try #require(object["ResultsByTime"] as? [[String: Any]])
            let groups = try #require(days.last?["Groups"] as? [[String: Any]])
            let total = groups.compactMap {
                (($0["Metrics"] as? [String: Any])?["UnblendedCost"] as? [String: Any])?["Amount"] as? String
            }.compactMap { Double($0) }.reduce(0, +)
            return (days.count, total)
        }
        let morning = try todaysTotal(at: Self.t0)
        let later = try todaysTotal(at: Self.t0 + 3600)
        #expect(morning.days == 27)
        #expect(later.total > morning.total)

        let forecast = try Self.object(
            Self.responder(at: Self.t0).response(
                to: Self.json(
                    "AWSInsightsIndexService.GetCostForecast",
                    #"{"TimePeriod":{"Start":"2026-11-28","End":"2026-12-01"},"Metric":"UNBLENDED_COST","Granularity":"MONTHLY"}"#
                )))
        let amount = try #require(((forecast["Total"] as? [String: Any])?["Amount"] as? String).flatMap { Double($0) })
        #expect(amount > 90 && amount < 120)  // three days at about $35
    }

    @Test func callerIdentityNamesTheDemoAccountAndAnUnknownOperationIsAClearError() throws {
        let responder = Self.responder(at: Self.t0)
        let identity = Self.body(responder.response(to: Self.form("Action=GetCallerIdentity&Version=2011-06-15")))
        #expect(identity.contains("<Account>123456789012</Account>"))
        let unknown = responder.response(to: Self.json("AmazonSQS.ListQueues", "{}"))
        #expect(unknown.status == 400)
        #expect(Self.body(unknown).contains("DemoUnsupportedOperation"))
        #expect(Self.body(unknown).contains("ListQueues"))
    }

    @Test func escapingDatesAndSlots() {
        #expect(JSONString.escaped("q\"\\\n\u{1}") == #"q\"\\\n\u0001"#)
        #expect(DemoClock.iso8601(Self.t0) == "2026-11-27T10:07:33Z")
        #expect(DemoClock.iso8601(Self.t0 + 0.25, milliseconds: true) == "2026-11-27T10:07:33.250Z")
        #expect(DemoClock.parseISO8601("2026-11-27T10:07:33.250Z") == Self.t0 + 0.25)
        #expect(DemoClock.parseDay("2026-11-27") == Int(Self.t0) / 86_400 * 86_400)
        #expect(DemoClock.parseDay("2026-02-30x") == nil)
        #expect(DemoResponder.slots(every: 10, from: 95, to: 131, limit: 10) == [10, 11, 12, 13])
        #expect(DemoResponder.slots(every: 10, from: 95, to: 131, limit: 2) == [12, 13])
        #expect(DemoResponder.slots(every: 10, from: 131, to: 95, limit: 2).isEmpty)
    }
}

extension DemoResponderTests {
    /// The demo server listens on loopback in the same process as the gateway: no request,
    /// however odd, may trap it.
    @Test func oddRequestsGetAnswersNotCrashes() {
        let responder = Self.responder(at: Self.t0)
        let odd = [
            Self.json("Logs_20140328.FilterLogEvents", #"{"logGroupName":"/x","startTime":1e300,"endTime":-1e300,"limit":1e30}"#),
            Self.json(
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", #"{"StartTime":"x","MaxResults":-5}"#),
            Self.json("AWSHealth_20160804.DescribeEvents", "not json"),
            Self.json("AWSInsightsIndexService.GetCostAndUsage", #"{"TimePeriod":{"Start":"0001-01-01","End":"9999-12-31"}}"#),
            Self.json("AWSInsightsIndexService.GetCostForecast", #"{"TimePeriod":{"Start":"9999-12-31","End":"0001-01-01"}}"#),
            Self.findings(#"{"Filters":{"UpdatedAt":[{"Start":"9999-99-99T99:99:99Z"}]},"MaxResults":1e99}"#),
            Self.form("Action=GetMetricData&MetricDataQueries.member.1.Id=m0&MetricDataQueries.member.1.MetricStat.Period=-1"),
            Self.form("%zz=%%&&=&Action"),
        ]
        for request in odd {
            let response = responder.response(to: request)
            #expect(response.status == 200 || response.status == 400)
        }
    }
}
