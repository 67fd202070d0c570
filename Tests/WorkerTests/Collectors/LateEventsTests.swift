import AWSCapture
import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Payloads
import Testing

@testable import Worker

/// Events that AWS delivers late and out of order, across polls, through the real libcurl path:
/// a log event ingested 10 s late in another log stream, a CloudTrail event that becomes visible
/// with an EventTime 120 s back, a Security Hub finding imported with an UpdatedAt 120 s back.
/// Each is published exactly once; nothing published is repeated. (Before the overlap window
/// each of them was dropped: the cursor had moved past its time.)
@Suite struct LateEventsTests {
    /// 2026-11-27T02:13:00Z, the end of every poll's listing.
    static let now = IncrementalFixtures.captureTime
    static let nowMilliseconds: Int64 = 1_795_745_580_000

    /// `template`'s request with each of `responses` as the answer of one poll, in order.
    static func polls(_ template: Capture, _ responses: [String]) -> [Capture] {
        responses.enumerated().map { index, body in
            var capture = template
            capture.name = String(format: "%04d-", index + 1) + template.name.dropFirst(5)
            capture.response = CapturedResponse(status: 200, headers: template.response?.headers ?? [], body: Array(body.utf8))
            return capture
        }
    }

    static func template(_ folder: String) throws -> Capture {
        try #require(try IncrementalFixtures.captures(folder).first)
    }

    static func logEvent(_ id: String, at offset: Int64, stream: String, ingestedAfter delay: Int64 = 200) -> String {
        let time = nowMilliseconds + offset
        return
            #"{"eventId":"\#(id)","logStreamName":"\#(stream)","timestamp":\#(time),"ingestionTime":\#(time + delay),"message":"\#(id)"}"#
    }

    /// One log group, with the captures' page size (100).
    static func logsCollector(_ client: AWSClient) -> LogsCollector {
        var settings = LogsSettings()
        settings.logGroups = ["/aws/lambda/orders"]
        settings.maxEventsPerPoll = 100
        return LogsCollector(
            client: CloudWatchLogsClient(client: client, logger: IncrementalFixtures.logger), settings: settings,
            logger: IncrementalFixtures.logger, now: { Self.now })
    }

    @Test func aLogEventIngestedLateInAnotherLogStreamIsPublishedOnce() async throws {
        let template = try Self.template("collectors-logs/incremental")
        let a = Self.logEvent("a", at: -30_000, stream: "s1")
        let b = Self.logEvent("b", at: -20_000, stream: "s1")
        // Ingested 10 s after its timestamp, older than b: visible only at the second poll.
        let late = Self.logEvent("late", at: -25_000, stream: "s2", ingestedAfter: 10_000)
        let c = Self.logEvent("c", at: -5_000, stream: "s1")
        let captures = Self.polls(
            template,
            [
                #"{"events":[\#(a),\#(b)]}"#, #"{"events":[\#(a),\#(late),\#(b),\#(c)]}"#,
                #"{"events":[\#(a),\#(late),\#(b),\#(c)]}"#,
            ])
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.logsCollector(client)
            var cursor: [String: String] = [:]
            var published: [[String]] = []
            for _ in 0..<3 {
                let poll = try await collector.poll(from: cursor)
                published.append(try IncrementalFixtures.decode(LogsData.self, poll.batches).flatMap(\.events).map(\.id))
                cursor = poll.cursor ?? cursor
                #expect(poll.lateEvents == 0, "10 s late is inside the 2-minute window")
            }
            #expect(published == [["a", "b"], ["late", "c"], []])
        }
    }

    /// An event ingested later than the window behind its time is counted as late.
    @Test func aLogEventLaterThanTheWindowIsCounted() async throws {
        let template = try Self.template("collectors-logs/incremental")
        let slow = Self.logEvent("slow", at: -1_000, stream: "s1", ingestedAfter: 300_000)
        let captures = Self.polls(template, [#"{"events":[\#(slow)]}"#])
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.logsCollector(client)
            let poll = try await collector.poll(from: [:])
            #expect(poll.lateEvents == 1)
        }
    }

    static func trailEvent(_ id: String, secondsBack: Int) -> String {
        let time = 1_795_745_580 - secondsBack
        return
            #"{"EventId":"\#(id)","EventName":"RunInstances","EventTime":\#(time),"ReadOnly":"false","Username":"ci","Resources":[]}"#
    }

    @Test func aCloudTrailEventVisibleWithAnEventTime120SecondsBackIsPublishedOnce() async throws {
        let template = try Self.template("collectors-activity/boundary")
        let x = Self.trailEvent("x", secondsBack: 60)
        let y = Self.trailEvent("y", secondsBack: 10)
        let late = Self.trailEvent("late", secondsBack: 120)
        // Newest first, as CloudTrail lists; the late event shows up between the polls.
        let captures = Self.polls(
            template,
            [#"{"Events":[\#(y),\#(x)]}"#, #"{"Events":[\#(y),\#(x),\#(late)]}"#, #"{"Events":[\#(y),\#(x),\#(late)]}"#])
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = ActivityCollector(
                client: CloudTrailClient(
                    client: client, rateLimiter: AWSRateLimiter(ratePerSecond: 1_000), logger: IncrementalFixtures.logger),
                settings: ActivitySettings(), logger: IncrementalFixtures.logger, now: { Self.now })
            var cursor: [String: String] = [:]
            var published: [[String]] = []
            for _ in 0..<3 {
                let poll = try await collector.poll(from: cursor)
                published.append(try IncrementalFixtures.decode(ActivityData.self, poll.batches).flatMap(\.events).map(\.id))
                cursor = poll.cursor ?? cursor
            }
            #expect(published == [["x", "y"], ["late"], []])
        }
    }

    static func finding(_ id: String, updatedSecondsBack: Int, processedSecondsBack: Int = 0) -> String {
        func iso(_ back: Int) -> String { ISO8601.string(from: Self.now.addingTimeInterval(-Double(back))) }
        return
            #"{"SchemaVersion":"2018-10-08","Id":"\#(id)","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","#
            + #""GeneratorId":"g","AwsAccountId":"123456789012","Types":[],"CreatedAt":"\#(iso(updatedSecondsBack))","#
            + #""UpdatedAt":"\#(iso(updatedSecondsBack))","ProcessedAt":"\#(iso(processedSecondsBack))","#
            + #""Severity":{"Label":"HIGH"},"Title":"t","Description":"d","Resources":[],"RecordState":"ACTIVE"}"#
    }

    @Test func aSecurityHubFindingImportedWithAnUpdatedAt120SecondsBackIsPublishedOnce() async throws {
        let template = try Self.template("collectors-security/incremental")
        let f1 = Self.finding("f1", updatedSecondsBack: 60, processedSecondsBack: 59)
        let late = Self.finding("late", updatedSecondsBack: 120)
        // The same finding updated again is a new event.
        let f1Again = Self.finding("f1", updatedSecondsBack: 5)
        let captures = Self.polls(
            template,
            [
                #"{"Findings":[\#(f1)]}"#, #"{"Findings":[\#(late),\#(f1)]}"#, #"{"Findings":[\#(late),\#(f1),\#(f1Again)]}"#,
                #"{"Findings":[\#(late),\#(f1),\#(f1Again)]}"#,
            ])
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = SecurityCollector(
                client: SecurityHubClient(client: client, logger: IncrementalFixtures.logger), settings: SecuritySettings(),
                logger: IncrementalFixtures.logger, now: { Self.now })
            var cursor: [String: String] = [:]
            var published: [[String]] = []
            var late = 0
            for _ in 0..<4 {
                let poll = try await collector.poll(from: cursor)
                let findings = try IncrementalFixtures.decode(SecurityData.self, poll.batches).flatMap(\.findings)
                published.append(findings.map { "\($0.id)@\($0.updatedAt.suffix(13))" })
                cursor = poll.cursor ?? cursor
                late += poll.lateEvents
            }
            #expect(published == [["f1@02:12:00.000Z"], ["late@02:11:00.000Z"], ["f1@02:12:55.000Z"], []])
            // Processed 120 s after its UpdatedAt: inside the 15-minute window, not late.
            #expect(late == 0)
        }
    }
}
