import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1))) struct ReplayFaultTests {
    static let trailHeaders = [("X-Amz-Target", Fixtures.trailTarget), ("Content-Type", "application/x-amz-json-1.1")]
    static let captures = [
        Fixtures.json11(
            "0001-cloudtrail-LookupEvents.json", target: Fixtures.trailTarget, requestBody: "{}",
            responseBody: #"{"Events":[],"NextToken":"t2"}"#),
        Fixtures.json11(
            "0002-cloudtrail-LookupEvents.json", target: Fixtures.trailTarget, requestBody: "{}",
            responseBody: #"{"Events":[{"EventId":"e2"}]}"#),
        Fixtures.query(
            "0003-monitoring-ListMetrics.json", requestBody: "Action=ListMetrics&Version=2010-08-01",
            responseBody: "<ListMetricsResponse/>"),
        Fixtures.rest(
            "0004-securityhub-GetFindings.json", path: "/findings", requestBody: "{}", responseBody: #"{"Findings":[]}"#),
    ]
    static let form = [("Content-Type", "application/x-www-form-urlencoded")]

    func withFaults(_ rules: [ReplayFaultSchedule.Rule], _ body: @Sendable (LoopbackClient) async throws -> Void) async throws {
        try await Fixtures.withReplayServer(
            captures: Self.captures, configure: { $0.faults = ReplayFaultSchedule(rules: rules) }, body)
    }

    @Test func throttlingComesInEachProtocolsShapeAndDoesNotUseUpACapture() async throws {
        let schedule = try ReplayFaultSchedule.parse(
            Array(
                #"{"faults":[{"operation":"LookupEvents","requests":[1,2],"kind":"throttle"},{"operation":"ListMetrics","kind":"throttle"},{"path":"/findings","kind":"throttle"}]}"#
                    .utf8))
        try await withFaults(schedule.rules) { curl in
            for _ in 0..<2 {
                let throttled = try await curl.send(headers: Self.trailHeaders, body: "{}")
                #expect(throttled.status == 400)
                #expect(throttled.body == #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
                #expect(throttled.header("x-amzn-RequestId") != nil)
            }
            let page1 = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(page1.body.contains(#""NextToken":"t2""#), "the 3rd call gets the 1st page")

            let query = try await curl.send(headers: Self.form, body: "Action=ListMetrics&Version=2010-08-01")
            #expect(query.status == 400)
            #expect(query.body.contains("<Code>Throttling</Code>"))
            #expect(query.body.contains("<ErrorResponse"))
            #expect(query.header("Content-Type") == "text/xml")

            let rest = try await curl.send(path: "/findings", headers: [("Content-Type", "application/json")], body: "{}")
            #expect(rest.status == 429)
            #expect(rest.header("x-amzn-ErrorType") == "TooManyRequestsException")
        }
    }

    @Test func serverErrorsEveryNthRequest() async throws {
        try await withFaults([
            try ReplayFaultSchedule.parseFlag("kind=service-unavailable,operation=LookupEvents,every=2"),
            .init(operation: "ListMetrics", fault: ReplayFault(.internalError)),
        ]) { curl in
            let statuses = try await [1, 2, 3, 4].asyncMap { _ in
                try await curl.send(headers: Self.trailHeaders, body: "{}").status
            }
            #expect(statuses == [200, 503, 200, 503])
            let query = try await curl.send(headers: Self.form, body: "Action=ListMetrics&Version=2010-08-01")
            #expect(query.status == 500)
            #expect(query.body.contains("<Type>Receiver</Type>"))
            #expect(query.body.contains("<Code>InternalFailure</Code>"))
        }
    }

    @Test func resetConnectionsGetNoResponse() async throws {
        try await withFaults([.init(requests: [1], fault: ReplayFault(.reset))]) { curl in
            let reset = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(reset.failure?.code == .connectionReset, "\(String(describing: reset.failure))")
            let next = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(next.body.contains(#""NextToken":"t2""#))
        }
    }

    @Test func slowFirstByteDelaysTheCapturedAnswer() async throws {
        try await withFaults([.init(requests: [1], fault: ReplayFault(.slowFirstByte, delayMilliseconds: 1200))]) { curl in
            let clock = ContinuousClock()
            let start = clock.now
            let slow = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(clock.now - start >= .milliseconds(1200))
            #expect(slow.status == 200)
            #expect(slow.body.contains(#""NextToken":"t2""#))
            let timedOut = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(timedOut.body.contains("e2"), "the slow answer used up page 1")
        }
        try await withFaults([.init(requests: [1], fault: ReplayFault(.slowFirstByte, delayMilliseconds: 3000))]) { curl in
            let timedOut = try await curl.send(headers: Self.trailHeaders, body: "{}", timeout: .seconds(1))
            #expect(timedOut.failure?.code == .timedOut, "\(String(describing: timedOut.failure))")
        }
    }

    // Integration: the wire check runs /usr/bin/curl as a child process.
    @Test(.tags(.integration)) func truncatedBodyAnnouncesMoreThanItSends() async throws {
        try await withFaults([.init(requests: [1, 2], fault: ReplayFault(.truncatedBody, sendBytes: 5))]) { curl in
            let truncated = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(truncated.failure?.code == .connectionReset, "\(String(describing: truncated.failure))")
            // On the wire: the whole body announced, five bytes of it sent.
            let wire = try await curl.cli.send(headers: Self.trailHeaders, body: "{}")
            #expect(wire.exitCode == 18, "curl reports a partial transfer: \(wire.stderr)")
            #expect(wire.status == 200)
            #expect(wire.header("Content-Length") == "30")
            #expect(wire.body == #"{"Eve"#)
            let retry = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(retry.body.contains(#""NextToken":"t2""#), "the retry gets the same page")
        }
    }

    @Test func expiredTokenInEachShape() async throws {
        try await withFaults([.init(fault: ReplayFault(.expiredToken))]) { curl in
            let json = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(json.status == 400)
            #expect(json.body.contains(#""__type":"ExpiredTokenException""#))
            let query = try await curl.send(headers: Self.form, body: "Action=ListMetrics&Version=2010-08-01")
            #expect(query.status == 403)
            #expect(query.body.contains("<Code>ExpiredToken</Code>"))
            let rest = try await curl.send(path: "/findings", headers: [("Content-Type", "application/json")], body: "{}")
            #expect(rest.header("x-amzn-ErrorType") == "ExpiredTokenException")
        }
    }

    @Test func skewedDateComesWithTheSignatureError() async throws {
        let fixedNow = Date(timeIntervalSince1970: 1_795_737_600)  // 2026-11-27T00:00:00Z
        try await Fixtures.withReplayServer(
            captures: Self.captures,
            configure: {
                $0.faults = ReplayFaultSchedule(rules: [.init(requests: [1], fault: ReplayFault(.skewedDate, skewSeconds: 3600))])
                $0.wallClock = { fixedNow }
            }
        ) { curl in
            let skewed = try await curl.send(headers: Self.trailHeaders + [("X-Amz-Date", "20261127T000000Z")], body: "{}")
            #expect(skewed.status == 400)
            #expect(skewed.body.contains("InvalidSignatureException"))
            #expect(skewed.body.contains("Signature expired: 20261127T000000Z is now earlier than 20261127T010000Z"))
            #expect(skewed.header("Date") == "Fri, 27 Nov 2026 01:00:00 GMT")
            let normal = try await curl.send(headers: Self.trailHeaders, body: "{}")
            #expect(normal.header("Date") == "Fri, 27 Nov 2026 00:00:00 GMT")
        }
    }

    @Test func schedulesParseAndExplainMistakes() throws {
        let schedule = try ReplayFaultSchedule.parse(
            Array(#"{"faults":[{"path":"/findings","every":3,"kind":"truncated-body","sendBytes":10}]}"#.utf8))
        #expect(schedule.rules.first?.every == 3)
        #expect(schedule.rules.first?.fault.sendBytes == 10)
        #expect(throws: CaptureError.self) { try ReplayFaultSchedule.parse(Array(#"{"faults":[{"kind":"explode"}]}"#.utf8)) }
        #expect(throws: CaptureError.self) {
            try ReplayFaultSchedule.parse(Array(#"{"faults":[{"kind":"reset","requests":[1],"every":2}]}"#.utf8))
        }
        #expect(throws: CaptureError.self) {
            try ReplayFaultSchedule.parse(Array(#"{"faults":[{"kind":"reset","operaton":"x"}]}"#.utf8))
        }
        let flag = try ReplayFaultSchedule.parseFlag("kind=throttle,operation=LookupEvents,requests=1+2")
        #expect(flag.requests == [1, 2])
        #expect(flag.operation == "LookupEvents")
    }
}

extension Array {
    /// Maps in order, one element at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
