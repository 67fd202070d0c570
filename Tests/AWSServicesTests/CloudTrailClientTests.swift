import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

@Suite struct CloudTrailClientTests {
    static let json = "application/x-amz-json-1.1"
    static let token = "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4="

    @Test func lookupEventsFollowsNextTokenAndAwaitsTheRateLimiter() async throws {
        let pages = [
            try fixtures.text("cloudtrail/LookupEvents-page1.json"), try fixtures.text("cloudtrail/LookupEvents-page2.json"),
        ]
        let handler = pagedHandler(pages: pages, tokens: [Self.token], contentType: Self.json) {
            $0.json["NextToken"]?.stringValue
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let clock = VirtualClock()
            let cloudTrail = CloudTrailClient(
                client: client, rateLimiter: .cloudTrailLookupEvents(clock: clock), logger: testLogger)
            let input = LookupEventsInput(
                startTime: Date(timeIntervalSince1970: 1_637_250_000), endTime: Date(timeIntervalSince1970: 1_637_260_000.5),
                lookupAttributes: [.readOnly(false)], maxResults: 500)
            let output = try await cloudTrail.lookupEvents(input)
            #expect(output.pages == 2)
            #expect(
                output.events.map(\.eventId) == ["654ccbc0-ba0d-486a-9076-dbf7274677a7", "3e2f1a0b-1c2d-4e5f-8a9b-0c1d2e3f4a5b"])
            let first = output.events[0]
            #expect(first.eventName == "ConsoleLogin")
            #expect(first.eventTime == Date(timeIntervalSince1970: 1_637_257_262))
            #expect(first.username == "my-session-name")
            #expect(first.resources.isEmpty)
            let second = output.events[1]
            #expect(second.isReadOnly == false)
            #expect(second.accessKeyId == "AKIAIOSFODNN7EXAMPLE")
            #expect(second.eventSource == "ec2.amazonaws.com")
            #expect(second.eventTime?.timeIntervalSince1970 == 1_637_257_258.5)
            #expect(second.resources.first?.resourceType == "AWS::EC2::Instance")
            #expect(second.resources.first?.resourceName == "i-0123456789abcdef0")

            // The second page waited half a second (2 per second, no burst) on the injected clock.
            #expect(clock.sleeps == [.milliseconds(500)])

            let body = server.requests[0].json
            #expect(
                server.requests[0].header("X-Amz-Target") == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
            )
            #expect(body["StartTime"] == .integer(1_637_250_000))
            #expect(body["EndTime"] == .double(1_637_260_000.5))
            #expect(body["MaxResults"] == .integer(50))
            #expect(
                body["LookupAttributes"]
                    == .array([.object(["AttributeKey": .string("ReadOnly"), "AttributeValue": .string("false")])]))
            #expect(server.requests[1].json["NextToken"] == .string(Self.token))
        }
    }

    @Test func cloudTrailEventRecordIsParsed() async throws {
        let pages = [try fixtures.text("cloudtrail/LookupEvents-page2.json")]
        try await withScriptedAWS(handler: pagedHandler(pages: pages, tokens: [], contentType: Self.json) { _ in nil }) {
            client, _ in
            let output = try await CloudTrailClient(
                client: client, rateLimiter: .cloudTrailLookupEvents(clock: VirtualClock()), logger: testLogger
            )
            .lookupEvents(LookupEventsInput())
            let record = try #require(try output.events.first?.record())
            #expect(record.eventName == "StopInstances")
            #expect(record.eventSource == "ec2.amazonaws.com")
            #expect(record.awsRegion == "us-east-1")
            #expect(record.sourceIPAddress == "203.0.113.10")
            #expect(record.userAgent == "aws-cli/2.4.0")
            #expect(record.errorCode == "Client.UnauthorizedOperation")
            #expect(record.errorMessage == "You are not authorized to perform this operation.")
            #expect(record.readOnly == false)
            #expect(record.requestID == "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222")
            #expect(record.eventID == "3e2f1a0b-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
            #expect(record.eventTime == AWSTimestamp.parse("2021-11-18T17:40:58Z"))
            #expect(record.userIdentity?.type == "IAMUser")
            #expect(record.userIdentity?.userName == "alice")
            #expect(record.userIdentity?.accessKeyId == "AKIAIOSFODNN7EXAMPLE")
            #expect(record.userIdentity?.displayName == "alice")
            #expect(record.resources.first?.arn == "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0")
            #expect(record.resources.first?.type == "AWS::EC2::Instance")
            #expect(record.responseElements == nil)
            #expect(record.requestParameters?["instancesSet"] != nil)
        }
    }

    @Test func assumedRoleRecordNamesTheRole() throws {
        let page = try JSONDecoder().decode(
            LookupEventsPageProbe.self, from: Data(try fixtures.bytes("cloudtrail/LookupEvents-page1.json")))
        let record = try CloudTrailEventRecord(json: try #require(page.Events.first?.CloudTrailEvent))
        #expect(record.userIdentity?.type == "AssumedRole")
        #expect(record.userIdentity?.principalId == "AROAJIKPFTA72SWU4L7T4:my-session-name")
        #expect(record.userIdentity?.arn == "arn:aws:sts::123456789012:assumed-role/my-role/my-session-name")
        #expect(record.userIdentity?.sessionIssuerUserName == "my-role")
        #expect(record.userIdentity?.userName == nil)
        #expect(record.userIdentity?.displayName == "my-role")
        #expect(record.eventName == "ConsoleLogin")
        #expect(record.eventID == "654ccbc0-ba0d-486a-9076-dbf7274677a7")
        #expect(record.readOnly == nil)
        #expect(record.responseElements == .object(["ConsoleLogin": .string("Success")]))
        #expect(record.requestParameters == nil)
    }

    @Test func aRecordThatIsNotJSONIsAnError() {
        #expect(throws: AWSError.self) { try CloudTrailEventRecord(json: "{not json") }
    }

    @Test func emptyAnswer() async throws {
        try await withScriptedAWS(handler: { _ in .respond(headers: [("Content-Type", Self.json)], body: #"{"Events":[]}"#) }) {
            client, server in
            let output = try await CloudTrailClient(
                client: client, rateLimiter: .cloudTrailLookupEvents(clock: VirtualClock()), logger: testLogger
            )
            .lookupEvents(LookupEventsInput())
            #expect(output.events.isEmpty)
            #expect(server.requests.count == 1)
        }
    }

    @Test func invalidNextTokenSurfacesAsAWSError() async throws {
        let body = #"{"__type":"InvalidNextTokenException","Message":"Invalid NextToken"}"#
        try await withScriptedAWS(handler: { _ in .respond(status: 400, headers: [("Content-Type", Self.json)], body: body) }) {
            client, _ in
            await #expect {
                try await CloudTrailClient(
                    client: client, rateLimiter: .cloudTrailLookupEvents(clock: VirtualClock()), logger: testLogger
                )
                .lookupEventsPage(LookupEventsInput(), nextToken: "stale")
            } throws: { error in
                let error = error as? AWSError
                return error?.code == "InvalidNextTokenException" && error?.operation == "LookupEvents"
            }
        }
    }

    private struct LookupEventsPageProbe: Decodable {
        struct Event: Decodable { var CloudTrailEvent: String }
        var Events: [Event]
    }
}
