import AWSCore
import Foundation
import Testing

@testable import AWSServices

@Suite struct GetMetricDataResponseParserTests {
    @Test func parsesTheDocumentedExample() throws {
        let page = try GetMetricDataResponseParser.parse(try fixtures.bytes("cloudwatch/GetMetricData-single.xml"))
        #expect(page.nextToken == nil)
        #expect(page.messages.isEmpty)
        #expect(page.results.count == 2)
        let q1 = page.results[1]
        #expect(q1.id == "q1")
        #expect(q1.label == "Cluster CpuUtilization")
        #expect(q1.statusCode == .complete)
        #expect(q1.timestamps.map(\.timeIntervalSince1970) == [1_637_074_245, 1_637_073_945, 1_637_073_645])
        #expect(q1.values == [1.2158469945359334, 0.8678863271635757, 0.7201860957623283])
    }

    @Test func readsMessagesStatusCodesEntitiesAndExponents() throws {
        let page = try GetMetricDataResponseParser.parse(try fixtures.bytes("cloudwatch/GetMetricData-messages.xml"))
        #expect(
            page.messages == [
                MetricDataMessage(code: "MaxQueryTimeRangeExceed", value: "The query time range exceeds the maximum allowed")
            ])
        let forbidden = page.results[0]
        #expect(forbidden.statusCode == .forbidden)
        #expect(forbidden.label == "")
        #expect(forbidden.timestamps.isEmpty && forbidden.values.isEmpty)
        #expect(
            forbidden.messages == [MetricDataMessage(code: "Forbidden", value: "You are not authorized to access this account")])
        let expression = page.results[1]
        #expect(expression.label == "Expression & label")
        #expect(expression.values == [0.0015])
        #expect(expression.messages.first?.code == "ArithmeticError")
    }

    @Test func readsTheMotoBody() throws {
        let body = """
            <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member>\
            <Id>m1</Id><Label>CPUUtilization Average</Label><Timestamps><member>2026-11-27T00:34:22Z</member></Timestamps><Values>\
            <member>12.5</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults></GetMetricDataResult>\
            <ResponseMetadata><RequestId>YbmWD59i</RequestId></ResponseMetadata></GetMetricDataResponse>
            """
        let page = try GetMetricDataResponseParser.parse(Array(body.utf8))
        #expect(
            page.results == [
                MetricDataResult(
                    id: "m1", label: "CPUUtilization Average", timestamps: [Date(timeIntervalSince1970: 1_795_739_662)],
                    values: [12.5])
            ])
    }

    @Test func timestampsWithFractionsAndOffsets() throws {
        let body = """
            <GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>a</Id><Timestamps>\
            <member>2026-11-27T00:00:00.250Z</member><member>2026-11-27T01:00:00+01:00</member><member>2024-02-29T23:59:59Z</member>\
            </Timestamps><Values><member>1</member><member>-2.5e3</member><member> 3 </member></Values><StatusCode>PartialData</StatusCode>\
            </member></MetricDataResults><NextToken>t-2</NextToken></GetMetricDataResult></GetMetricDataResponse>
            """
        let page = try GetMetricDataResponseParser.parse(Array(body.utf8))
        let series = try #require(page.results.first)
        #expect(series.timestamps.map(\.timeIntervalSince1970) == [1_795_737_600.25, 1_795_737_600, 1_709_251_199])
        #expect(series.values == [1, -2_500, 3])
        #expect(series.statusCode == .partialData)
        #expect(page.nextToken == "t-2")
    }

    @Test(arguments: [
        (
            "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>a</Id><Timestamps><member>yesterday</member></Timestamps><Values><member>1</member></Values></member></MetricDataResults></GetMetricDataResult></GetMetricDataResponse>",
            "ISO-8601"
        ),
        (
            "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>a</Id><Timestamps><member>2026-11-27T00:00:00Z</member></Timestamps><Values><member>1,5</member></Values></member></MetricDataResults></GetMetricDataResult></GetMetricDataResponse>",
            "not a number"
        ),
        (
            "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>a</Id><Timestamps><member>2026-11-27T00:00:00Z</member></Timestamps><Values/></member></MetricDataResults></GetMetricDataResult></GetMetricDataResponse>",
            "1 timestamps but 0 values"
        ),
        ("<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member>", "well-formed"),
        ("<html><body>Bad gateway</body></html>", "no GetMetricDataResult"),
        ("", "empty"),
    ])
    func malformedBodiesAreErrors(body: String, expected: String) {
        #expect {
            try GetMetricDataResponseParser.parse(Array(body.utf8))
        } throws: { error in
            let error = error as? AWSError
            return error?.kind == .malformedResponse && error?.message.contains(expected) == true
        }
    }

    @Test func timestampParserAgreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for text in [
            "1970-01-01T00:00:00Z", "2000-02-29T12:34:56Z", "2026-11-27T23:59:59Z", "2100-03-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
        ] {
            let expected = try #require(ISO8601DateFormatter().date(from: text))
            #expect(AWSTimestamp.parse(text) == expected, "\(text)")
            #expect(AWSTimestamp.iso8601(expected) == text)
        }
        #expect(AWSTimestamp.parse("2020-06-02T14:02:49.159Z") == formatter.date(from: "2020-06-02T14:02:49.159Z"))
        #expect(
            AWSTimestamp.iso8601WithMilliseconds(Date(timeIntervalSince1970: 1_591_106_569.159)) == "2020-06-02T14:02:49.159Z")
        #expect(AWSTimestamp.parse("2021-11-18T09:41:02-08:00")?.timeIntervalSince1970 == 1_637_257_262)
        for bad in [
            "2026-13-01T00:00:00Z", "2026-11-27", "2026-11-27T00:00:00Q", "2026-11-27T00:00:00.Z", "2026-11-27T00:00:00+1",
        ] {
            #expect(AWSTimestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
