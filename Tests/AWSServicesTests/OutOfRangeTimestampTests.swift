import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

/// Times no AWS answer can carry (before 1970, after 9999, not finite, beyond Int64), sent by the
/// endpoint over the real libcurl path: the event that holds one is left out of its page and
/// reported (the list, index, id and the field named), the others are kept, and the skip is
/// counted. One bad event never fails its page, so it cannot stop an incremental stream.
@Suite struct OutOfRangeTimestampTests {
    static let json = "application/x-amz-json-1.1"

    static func answering(_ body: String, contentType: String = json) -> HTTPTestServer.Handler {
        { _ in .respond(headers: [("Content-Type", contentType)], body: body) }
    }

    @Test(arguments: ["1e300", "-1", "253402300800", "1.7976931348623157e308"])
    func lookupEventsSkipsAnEventWithAnOutOfRangeEventTime(time: String) async throws {
        let body =
            #"{"Events":[{"EventId":"good","EventTime":1637257262},{"EventId":"bad","EventTime":\#(time)},"#
            + #"{"EventId":"good-2","EventTime":253402300799.999}],"NextToken":"t"}"#
        try await withScriptedAWS(handler: Self.answering(body)) { client, _ in
            let usage = AWSUsageCounter()
            let trail = CloudTrailClient(
                client: client, rateLimiter: .cloudTrailLookupEvents(clock: VirtualClock()), usage: usage, logger: testLogger)
            let page = try await trail.lookupEventsPage(LookupEventsInput())
            #expect(page.items.map(\.eventId) == ["good", "good-2"])
            #expect(page.nextToken == "t")
            #expect(page.skipped.count == 1)
            #expect(page.skipped.first?.list == "Events")
            #expect(page.skipped.first?.index == 1)
            #expect(page.skipped.first?.id == "bad")
            #expect(page.skipped.first?.reason.hasPrefix(".Events[1].EventTime: ") == true)
            #expect(page.skipped.first?.reason.hasSuffix(" is not a time between 1970 and 9999") == true)
            #expect(usage.usage(of: "LookupEvents").skippedItems == 1)
        }
    }

    @Test(arguments: ["9223372036854775807", "-1", "253402300800000", "1e300"])
    func filterLogEventsSkipsAnEventWithAnOutOfRangeTimestamp(timestamp: String) async throws {
        let body =
            #"{"events":[{"eventId":"good","timestamp":1589086345905,"message":"a"},"#
            + #"{"eventId":"bad","timestamp":\#(timestamp),"message":"b"},"#
            + #"{"eventId":"late","timestamp":1,"ingestionTime":-5,"message":"c"}]}"#
        try await withScriptedAWS(handler: Self.answering(body)) { client, _ in
            let usage = AWSUsageCounter()
            let logs = CloudWatchLogsClient(client: client, usage: usage, logger: testLogger)
            let page = try await logs.filterLogEventsPage(FilterLogEventsInput(logGroup: .name("/g")))
            #expect(page.items.map(\.eventId) == ["good"])
            #expect(page.items.first?.timestampMilliseconds == 1_589_086_345_905)
            #expect(page.skipped.map(\.id) == ["bad", "late"])
            #expect(page.skipped.last?.reason == ".events[2].ingestionTime: -5 is not a time between 1970 and 9999")
            #expect(usage.usage(of: "FilterLogEvents").skippedItems == 2)
        }
    }

    @Test func describeEventsSkipsAnEventWithAnOutOfRangeTime() async throws {
        let body =
            #"{"events":[{"arn":"a1","lastUpdatedTime":1589077890.53},{"arn":"a2","lastUpdatedTime":1e300},"#
            + #"{"arn":"a3","lastUpdatedTime":1589077890,"endTime":-1e300}]}"#
        try await withScriptedAWS(handler: Self.answering(body)) { client, _ in
            let health = HealthClient(client: client, logger: testLogger)
            let output = try await health.describeEvents()
            #expect(output.events.map(\.arn) == ["a1"])
            let page = try await health.describeEventsPage(DescribeEventsInput())
            #expect(
                page.skipped.map(\.reason) == [
                    ".events[1].lastUpdatedTime: 1e+300 is not a time between 1970 and 9999",
                    ".events[2].endTime: -1e+300 is not a time between 1970 and 9999",
                ])
            #expect(health.usage.usage(of: "DescribeEvents").skippedItems == 4)
        }
    }

    @Test func getFindingsSkipsAFindingWithAnOutOfRangeDate() async throws {
        let body =
            #"{"Findings":[{"Id":"f1","UpdatedAt":"2020-06-02T14:02:52.397Z","Severity":{"Label":"LOW","Normalized":1e300}},{"Id":"f2","UpdatedAt":"1969-12-31T23:59:59Z"},"#
            + #"{"Id":"f3","CreatedAt":"9999-12-31T23:59:59-01:00"}]}"#
        try await withScriptedAWS(handler: Self.answering(body, contentType: "application/json")) { client, _ in
            let page = try await SecurityHubClient(client: client, logger: testLogger).getFindingsPage(GetFindingsInput())
            #expect(page.items.map(\.id) == ["f1"])
            #expect(page.items.first?.severity?.label == "LOW")
            // A normalized severity no Int holds is left out, not trapped on.
            #expect(page.items.first?.severity?.normalized == nil)
            #expect(page.skipped.map(\.id) == ["f2", "f3"])
            #expect(page.skipped.first?.reason.contains("between 1970 and 9999") == true)
        }
    }

    /// A list that is not a list, or a body that is not JSON, still fails the whole page.
    @Test func aBrokenPageStillFails() async throws {
        try await withScriptedAWS(handler: Self.answering(#"{"Events":{"EventId":"x"}}"#)) { client, _ in
            let trail = CloudTrailClient(
                client: client, rateLimiter: .cloudTrailLookupEvents(clock: VirtualClock()), logger: testLogger)
            await #expect(throws: AWSError.self) { try await trail.lookupEventsPage(LookupEventsInput()) }
        }
    }

    @Test func theValidRangeIsNineteenSeventyToNineThousandNineHundredNinetyNine() {
        #expect(AWSTimestamp.date(secondsSince1970: 0) != nil)
        #expect(AWSTimestamp.date(secondsSince1970: 253_402_300_799.999) != nil)
        for seconds in [-0.001, 253_402_300_800, .infinity, -.infinity, .nan, 1e300] {
            #expect(AWSTimestamp.date(secondsSince1970: seconds) == nil)
        }
        #expect(AWSTimestamp.date(millisecondsSince1970: .max) == nil)
        #expect(AWSTimestamp.date(millisecondsSince1970: 253_402_300_799_999) != nil)
        #expect(AWSTimestamp.parse("1969-12-31T23:59:59.999Z") == nil)
        #expect(AWSTimestamp.parse("9999-12-31T23:59:59Z") != nil)
        #expect(AWSTimestamp.parse("9999-12-31T23:59:59-00:01") == nil)
    }

    @Test(arguments: ["nan", "inf", "-infinity"])
    func getMetricDataRefusesAValueThatIsNotAFiniteNumber(value: String) {
        let body =
            #"<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>m0</Id>"#
            + "<Timestamps><member>2026-11-27T00:00:00Z</member></Timestamps><Values><member>\(value)</member></Values>"
            + "<StatusCode>Complete</StatusCode></member></MetricDataResults></GetMetricDataResult></GetMetricDataResponse>"
        #expect(throws: AWSError.self) { try GetMetricDataResponseParser.parse(Array(body.utf8)) }
    }

    @Test func getMetricDataRefusesAnOutOfRangeTimestamp() {
        let body =
            #"<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>m0</Id>"#
            + "<Timestamps><member>0001-01-01T00:00:00Z</member></Timestamps><Values><member>1</member></Values>"
            + "<StatusCode>Complete</StatusCode></member></MetricDataResults></GetMetricDataResult></GetMetricDataResponse>"
        #expect(throws: AWSError.self) { try GetMetricDataResponseParser.parse(Array(body.utf8)) }
    }
}
