import AWSCapture
import AWSCore
import Testing

@Suite struct CaptureMatchingTests {
    let matching = CaptureMatching()

    func jsonRequest(_ body: String, target: String = Fixtures.logsTarget) -> CapturedRequest {
        CapturedRequest(
            method: "POST",
            path: "/",
            headers: [AWSHTTPHeader("X-Amz-Target", target), AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1")],
            body: Array(body.utf8)
        )
    }

    @Test func jsonMemberOrderAndTimeFieldsDoNotMatter() {
        let recorded = jsonRequest(#"{"logGroupName":"/a","startTime":1,"endTime":2,"limit":2}"#)
        let live = jsonRequest(#"{"limit": 2, "endTime": 99, "logGroupName": "/a", "startTime": 98, "nextToken": "abc"}"#)
        #expect(matching.key(for: recorded) == matching.key(for: live))
        #expect(matching.key(for: recorded).operationName == "FilterLogEvents")
    }

    @Test func valuesOperationsAndArrayOrderDoMatter() {
        let recorded = jsonRequest(#"{"logGroupName":"/a","names":["x","y"]}"#)
        #expect(matching.key(for: recorded) != matching.key(for: jsonRequest(#"{"logGroupName":"/b","names":["x","y"]}"#)))
        #expect(matching.key(for: recorded) != matching.key(for: jsonRequest(#"{"logGroupName":"/a","names":["y","x"]}"#)))
        #expect(
            matching.key(for: recorded)
                != matching.key(for: jsonRequest(#"{"logGroupName":"/a","names":["x","y"]}"#, target: Fixtures.trailTarget))
        )
    }

    @Test func formFieldOrderAndTimeFieldsDoNotMatter() {
        func form(_ body: String) -> CapturedRequest {
            CapturedRequest(
                method: "POST",
                path: "/",
                headers: [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(body.utf8)
            )
        }
        let recorded = form(
            "Action=GetMetricData&Version=2010-08-01&StartTime=2026-11-27T00%3A00%3A00Z&MetricDataQueries.member.1.Id=m1")
        let live = form("MetricDataQueries.member.1.Id=m1&Version=2010-08-01&Action=GetMetricData&EndTime=x&NextToken=t")
        #expect(matching.key(for: recorded) == matching.key(for: live))
        #expect(matching.key(for: recorded).operation == "GetMetricData")
        #expect(
            matching.key(for: recorded)
                != matching.key(for: form("Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=m2")))
    }

    @Test func theIgnoredListCanBeChanged() {
        let strict = CaptureMatching(ignoredFields: [])
        #expect(strict.key(for: jsonRequest(#"{"startTime":1}"#)) != strict.key(for: jsonRequest(#"{"startTime":2}"#)))
    }

    @Test func replayerServesPagesInOrderThenRepeatsTheLast() async {
        let pages = (1...3).map {
            Fixtures.json11("000\($0).json", target: Fixtures.logsTarget, requestBody: "{}", responseBody: #"{"page":\#($0)}"#)
        }
        let replayer = CaptureReplayer(captures: pages)
        var served: [String] = []
        for _ in 0..<5 {
            if case .matched(let capture, _, _) = await replayer.answer(jsonRequest("{}")) { served.append(capture.name) }
        }
        #expect(served == ["0001.json", "0002.json", "0003.json", "0003.json", "0003.json"])

        let cycling = CaptureReplayer(captures: pages, exhaustion: .cycle)
        var cycled: [String] = []
        for _ in 0..<4 {
            if case .matched(let capture, _, _) = await cycling.answer(jsonRequest("{}")) { cycled.append(capture.name) }
        }
        #expect(cycled == ["0001.json", "0002.json", "0003.json", "0001.json"])

        let strict = CaptureReplayer(captures: Array(pages.prefix(1)), exhaustion: .notFound)
        _ = await strict.answer(jsonRequest("{}"))
        guard case .unmatched(let mismatch) = await strict.answer(jsonRequest("{}")) else {
            Issue.record("expected exhaustion")
            return
        }
        #expect(mismatch.code == "ReplayCapturesExhausted")
    }

    @Test func mismatchNamesTheClosestCaptures() async {
        let replayer = CaptureReplayer(captures: [
            Fixtures.json11(
                "0001-logs.json", target: Fixtures.logsTarget, requestBody: #"{"logGroupName":"/a"}"#, responseBody: "{}"),
            Fixtures.json11("0002-trail.json", target: Fixtures.trailTarget, requestBody: "{}", responseBody: "{}"),
        ])
        guard case .unmatched(let mismatch) = await replayer.answer(jsonRequest(#"{"logGroupName":"/b"}"#)) else {
            Issue.record("expected no match")
            return
        }
        #expect(mismatch.candidates.first?.files == ["0001-logs.json"])
        #expect(mismatch.description.contains("request has logGroupName=\"/b\""))
        #expect(mismatch.description.contains("capture has logGroupName=\"/a\""))
    }
}
