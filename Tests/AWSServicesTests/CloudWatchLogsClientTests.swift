import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

@Suite struct CloudWatchLogsClientTests {
    static let json = "application/x-amz-json-1.1"

    @Test func filterLogEventsFollowsNextTokenToTheEnd() async throws {
        let token = "ZNUEPl7FcQuXbIH4Swk9D9eFu2XBg-ijZIZlvzz4ea9zZRjw-MMtQtvcoMdmq4T29K7Q6Y1e_KvyfpcT_f_tUw"
        let pages = [try fixtures.text("logs/FilterLogEvents-page1.json"), try fixtures.text("logs/FilterLogEvents-page2.json")]
        let handler = pagedHandler(pages: pages, tokens: [token], contentType: Self.json) { $0.json["nextToken"]?.stringValue }
        try await withScriptedAWS(handler: handler) { client, server in
            let logs = CloudWatchLogsClient(client: client, logger: testLogger)
            let input = FilterLogEventsInput(
                logGroup: .name("my-log-group"), logStreamNames: ["my-log-stream-1"], filterPattern: "ERROR",
                startTime: Date(timeIntervalSince1970: 1_396_035_378), endTime: Date(timeIntervalSince1970: 1_396_035_400.5),
                limit: 100)
            let output = try await logs.filterLogEvents(input)
            #expect(output.pages == 2)
            #expect(output.events.count == 5)
            let first = try #require(output.events.first)
            #expect(first.eventId == "31132629274945519779805322857203735586714454643391594505")
            #expect(first.logStreamName == "my-log-stream-1")
            #expect(first.timestampMilliseconds == 1_396_035_378_988)
            #expect(first.timestamp == Date(timeIntervalSince1970: 1_396_035_378.988))
            #expect(first.ingestionTimeMilliseconds == 1_396_035_394_997)
            #expect(first.message == "ERROR Event 1")

            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests[0].header("X-Amz-Target") == "Logs_20140328.FilterLogEvents")
            let body = requests[0].json
            #expect(body["logGroupName"] == .string("my-log-group"))
            #expect(body["logStreamNames"] == .array([.string("my-log-stream-1")]))
            #expect(body["filterPattern"] == .string("ERROR"))
            #expect(body["startTime"] == .integer(1_396_035_378_000))
            #expect(body["endTime"] == .integer(1_396_035_400_500))
            #expect(body["limit"] == .integer(100))
            #expect(body["nextToken"] == nil)
            #expect(requests[1].json["nextToken"] == .string(token))
        }
    }

    @Test func emptyPagesDoNotEndTheSearch() async throws {
        let handler = pagedHandler(
            pages: [
                #"{"events":[],"nextToken":"t1"}"#, #"{"events":[],"nextToken":"t2"}"#, #"{"events":[],"searchedLogStreams":[]}"#,
            ],
            tokens: ["t1", "t2"], contentType: Self.json
        ) { $0.json["nextToken"]?.stringValue }
        try await withScriptedAWS(handler: handler) { client, server in
            let output = try await CloudWatchLogsClient(client: client, logger: testLogger).filterLogEvents(
                FilterLogEventsInput(logGroup: .identifier("arn:aws:logs:us-east-1:123456789012:log-group:app")))
            #expect(output.events.isEmpty)
            #expect(output.pages == 3)
            #expect(server.requests[0].json["logGroupIdentifier"] == .string("arn:aws:logs:us-east-1:123456789012:log-group:app"))
        }
    }

    @Test func motoNullTokenEndsPagination() async throws {
        let body =
            #"{"events": [{"eventId": "0", "ingestionTime": 1795739851793, "message": "ERROR Event 1", "timestamp": 1795739849787, "logStreamName": "s"}], "nextToken": null, "searchedLogStreams": []}"#
        try await withScriptedAWS(handler: { _ in .respond(headers: [("Content-Type", "text/html; charset=utf-8")], body: body) })
        { client, _ in
            let output = try await CloudWatchLogsClient(client: client, logger: testLogger).filterLogEvents(
                FilterLogEventsInput(logGroup: .name("g")))
            #expect(output.events.map(\.eventId) == ["0"])
            #expect(output.pages == 1)
        }
    }

    @Test func throttlingSurfacesAsAWSError() async throws {
        let body = try fixtures.text("errors/json-ThrottlingException.json")
        try await withScriptedAWS(handler: { _ in .respond(status: 400, headers: [("Content-Type", Self.json)], body: body) }) {
            client, _ in
            await #expect {
                try await CloudWatchLogsClient(client: client, logger: testLogger).filterLogEvents(
                    FilterLogEventsInput(logGroup: .name("g")))
            } throws: { error in
                let error = error as? AWSError
                return error?.code == "ThrottlingException" && error?.service == "logs" && error?.operation == "FilterLogEvents"
            }
        }
    }

    @Test func aBodyOfTheWrongShapeIsMalformed() async throws {
        try await withScriptedAWS(handler: { _ in .respond(body: #"{"events": {"not": "a list"}}"#) }) { client, _ in
            await #expect {
                try await CloudWatchLogsClient(client: client, logger: testLogger).filterLogEvents(
                    FilterLogEventsInput(logGroup: .name("g")))
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .malformedResponse && error?.operation == "FilterLogEvents"
                    && error?.message.contains(".events") == true
            }
        }
    }
}
