import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Testing
import TextFormats

@Suite(.timeLimit(.minutes(1))) struct ReplayServerTests {
    static let logsHeaders = [("X-Amz-Target", Fixtures.logsTarget), ("Content-Type", "application/x-amz-json-1.1")]
    static let pages = [
        Fixtures.json11(
            "0001-logs-FilterLogEvents.json", target: Fixtures.logsTarget, requestBody: #"{"logGroupName":"/a","startTime":1}"#,
            responseBody: #"{"events":[],"nextToken":"p2"}"#),
        Fixtures.json11(
            "0002-logs-FilterLogEvents.json", target: Fixtures.logsTarget,
            requestBody: #"{"logGroupName":"/a","startTime":1,"nextToken":"p2"}"#, responseBody: #"{"events":[{"eventId":"2"}]}"#),
        Fixtures.json11(
            "0003-logs-FilterLogEvents.json", target: Fixtures.logsTarget, requestBody: #"{"logGroupName":"/b"}"#,
            responseBody: #"{"events":[{"eventId":"b"}]}"#),
    ]

    @Test func matchesByOperationAndNormalizedBodyAndServesPagesInOrder() async throws {
        try await Fixtures.withReplayServer(captures: Self.pages) { curl in
            // Key order, whitespace and time fields differ from the capture: still a match.
            let first = try await curl.send(
                headers: Self.logsHeaders, body: #"{ "startTime": 999, "logGroupName": "/a", "endTime": 5 }"#)
            #expect(first.status == 200)
            #expect(first.body == #"{"events":[],"nextToken":"p2"}"#)
            #expect(first.header("Content-Type") == "application/x-amz-json-1.1")
            #expect(first.header("Content-Length") == String(first.body.utf8.count))
            #expect(first.header("Date")?.hasSuffix("GMT") == true)
            #expect(first.header("Date")?.contains("2020") == false)
            let second = try await curl.send(
                headers: Self.logsHeaders, body: #"{"logGroupName":"/a","nextToken":"p2","startTime":1000}"#)
            #expect(second.body == #"{"events":[{"eventId":"2"}]}"#)
            let third = try await curl.send(headers: Self.logsHeaders, body: #"{"logGroupName":"/a"}"#)
            #expect(third.body == second.body, "after the last page the last is repeated")
            let other = try await curl.send(headers: Self.logsHeaders, body: #"{"logGroupName":"/b"}"#)
            #expect(other.body == #"{"events":[{"eventId":"b"}]}"#)
        }
    }

    @Test func unmatchedRequestGetsA404NamingItAndTheCandidates() async throws {
        try await Fixtures.withReplayServer(captures: Self.pages) { curl in
            let response = try await curl.send(headers: Self.logsHeaders, body: #"{"logGroupName":"/zzz"}"#)
            #expect(response.status == 404)
            let body = try JSONDocument.parse(response.body)
            #expect(body["__type"] == .string("ReplayNoMatchingCapture"))
            #expect(body["replay"]?["operation"] == .string(Fixtures.logsTarget))
            #expect(body["replay"]?["path"] == .string("/"))
            #expect(body["replay"]?["method"] == .string("POST"))
            #expect(response.body.contains("0003-logs-FilterLogEvents.json"))
            #expect(response.body.contains(#"request has logGroupName=\"/zzz\""#))

            let query = try await curl.send(
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "Action=ListMetrics&Version=2010-08-01"
            )
            #expect(query.status == 404)
            #expect(query.body.contains("<Code>ReplayNoMatchingCapture</Code>"))
            #expect(query.body.contains("ListMetrics"))
        }
    }

    @Test func signatureIsOptionalUnlessRequired() async throws {
        try await Fixtures.withReplayServer(captures: Self.pages) { curl in
            let response = try await curl.send(
                headers: Self.logsHeaders + [("Authorization", "garbage")], body: #"{"logGroupName":"/b"}"#)
            #expect(response.status == 200)
        }
        try await Fixtures.withReplayServer(captures: Self.pages, configure: { $0.requiresSignature = true }) { curl in
            let missing = try await curl.send(headers: Self.logsHeaders, body: #"{"logGroupName":"/b"}"#)
            #expect(missing.status == 403)
            #expect(missing.body.contains(#""__type":"MissingAuthenticationTokenException""#))
            let malformed = try await curl.send(
                headers: Self.logsHeaders + [
                    ("Authorization", Fixtures.validAuthorization.replacingOccurrences(of: "Signature=5d", with: "Signature=zz"))
                ],
                body: #"{"logGroupName":"/b"}"#
            )
            #expect(malformed.status == 403)
            #expect(malformed.body.contains("IncompleteSignatureException"))
            let signed = try await curl.send(
                headers: Self.logsHeaders + [("Authorization", Fixtures.validAuthorization)], body: #"{"logGroupName":"/b"}"#)
            #expect(signed.status == 200)
            let query = try await curl.send(
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Action=ListMetrics&Version=2010-08-01")
            #expect(query.status == 403)
            #expect(query.body.contains("<Code>MissingAuthenticationToken</Code>"))
        }
    }

    @Test func requestBodiesAreBounded() async throws {
        try await Fixtures.withReplayServer(captures: Self.pages, configure: { $0.limits.maximumRequestBodyBytes = 100 }) {
            curl in
            let response = try await curl.send(headers: Self.logsHeaders, body: String(repeating: "x", count: 5000))
            #expect(response.status == 413)
        }
    }

    @Test func loadsAndServesAShippedFolder() async throws {
        let captures = try CaptureFolder.load(Fixtures.capturesFolder + "/cloudwatch")
        try await Fixtures.withReplayServer(captures: captures) { curl in
            let form = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
            let first = try await curl.send(headers: form, body: "Namespace=AWS%2FEC2&Action=ListMetrics&Version=2010-08-01")
            #expect(first.status == 200)
            #expect(first.body.contains("<NextToken>"))
            let second = try await curl.send(
                headers: form, body: "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2&NextToken=eyJwYWdlIjoyfQ%3D%3D")
            #expect(second.status == 200)
            #expect(!second.body.contains("<NextToken>"))
            #expect(second.body.contains("TimeToFirstByte"))
        }
    }
}
