import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

@Suite struct HealthClientTests {
    static let json = "application/x-amz-json-1.1"

    @Test func describeEventsFollowsNextTokenToTheEnd() async throws {
        let pages = [
            try fixtures.text("health/DescribeEvents-page1.json"), try fixtures.text("health/DescribeEvents-page2.json"),
        ]
        let handler = pagedHandler(pages: pages, tokens: ["Q2xvc2VkRXZlbnRzUGFnZTI="], contentType: Self.json) {
            $0.json["nextToken"]?.stringValue
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let filter = DescribeEventsInput.Filter(
                lastUpdatedFrom: Date(timeIntervalSince1970: 1_580_000_000), eventStatusCodes: ["open", "closed"],
                services: ["EC2"],
                regions: ["us-east-1"])
            let output = try await HealthClient(client: client, logger: testLogger).describeEvents(
                DescribeEventsInput(filter: filter, maxResults: 5))
            #expect(output.pages == 2)
            #expect(output.events.count == 13)
            let last = try #require(output.events.last)
            #expect(last.arn.hasSuffix("AWS_EC2_OPERATIONAL_ISSUE_HNGHE_EXAMPLE111"))
            #expect(last.service == "EC2")
            #expect(last.eventTypeCode == "AWS_EC2_OPERATIONAL_ISSUE")
            #expect(last.eventTypeCategory == "issue")
            #expect(last.region == "ap-southeast-2")
            #expect(last.startTime?.timeIntervalSince1970 == 1_583_881_487.483)
            #expect(last.endTime?.timeIntervalSince1970 == 1_583_885_056.785)
            #expect(last.lastUpdatedTime?.timeIntervalSince1970 == 1_583_885_057.052)
            #expect(last.statusCode == "closed")
            #expect(last.eventScopeCode == "PUBLIC")

            let body = server.requests[0].json
            #expect(server.requests[0].header("X-Amz-Target") == "AWSHealth_20160804.DescribeEvents")
            #expect(body["maxResults"] == .integer(10))
            #expect(body["filter"]?["lastUpdatedTimes"] == .array([.object(["from": .integer(1_580_000_000)])]))
            #expect(body["filter"]?["eventStatusCodes"] == .array([.string("open"), .string("closed")]))
            #expect(body["filter"]?["services"] == .array([.string("EC2")]))
            #expect(server.requests[1].json["nextToken"] == .string("Q2xvc2VkRXZlbnRzUGFnZTI="))
        }
    }

    @Test func openEventsHaveNoEndTime() async throws {
        let body =
            #"{"events":[{"arn":"arn:aws:health:global::event/IAM/X/Y","service":"IAM","eventTypeCode":"X","eventTypeCategory":"issue","region":"global","startTime":1.7957376E9,"lastUpdatedTime":1795737600.125,"statusCode":"open","eventScopeCode":"PUBLIC"}]}"#
        try await withScriptedAWS(handler: { _ in .respond(headers: [("Content-Type", Self.json)], body: body) }) { client, _ in
            let output = try await HealthClient(client: client, logger: testLogger).describeEvents()
            let event = try #require(output.events.first)
            #expect(event.endTime == nil)
            #expect(event.startTime?.timeIntervalSince1970 == 1_795_737_600)
            #expect(event.lastUpdatedTime?.timeIntervalSince1970 == 1_795_737_600.125)
        }
    }

    @Test func subscriptionRequiredSurfacesAsAWSError() async throws {
        let body =
            #"{"__type":"SubscriptionRequiredException","message":"The AWS Health API is available with Business, Enterprise On-Ramp, or Enterprise Support."}"#
        try await withScriptedAWS(handler: { _ in .respond(status: 400, headers: [("Content-Type", Self.json)], body: body) }) {
            client, _ in
            await #expect {
                try await HealthClient(client: client, logger: testLogger).describeEvents()
            } throws: { error in
                let error = error as? AWSError
                return error?.code == "SubscriptionRequiredException" && error?.service == "health"
                    && error?.operation == "DescribeEvents"
            }
        }
    }
}
