import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Logging
import Payloads
import TestSupport
import Testing
import Worker

@Suite struct LogsCollectorTests {
    static let group = "/aws/lambda/orders"
    /// 2026-11-27T02:03:10Z, just after the log captures' events.
    static let captureEnd = Date(timeIntervalSince1970: 1_795_744_990)

    static func collector(
        _ client: AWSClient, groups: [String] = [group], maxEventsPerPoll: Int = 100, maxEventsPerBatch: Int = 500,
        logger: Logger = IncrementalFixtures.logger, now: @escaping @Sendable () -> Date = { LogsCollectorTests.captureEnd }
    ) -> LogsCollector {
        var settings = LogsSettings()
        settings.logGroups = groups
        settings.maxEventsPerPoll = maxEventsPerPoll
        return LogsCollector(
            client: CloudWatchLogsClient(client: client, logger: logger), settings: settings,
            batchLimits: IncrementalBatchLimits(maxEvents: maxEventsPerBatch), logger: logger, now: now)
    }

    static func ids(_ batches: [CollectedBatch]) throws -> [String] {
        try IncrementalFixtures.decode(LogsData.self, batches).flatMap(\.events).map(\.id)
    }

    /// Three pages, then a poll whose first events share the boundary timestamp, then nothing new.
    @Test func pagesThenContinuesFromTheCursorAcrossTheBoundary() async throws {
        let captures = try IncrementalFixtures.captures("collectors-logs/incremental")
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client, maxEventsPerBatch: 4)
            let first = try await collector.collect(from: [:])
            #expect(try Self.ids(first) == ["0", "1", "2", "3"] + ["4", "5"])
            #expect(first.map(\.type) == ["logs", "logs"])
            #expect(collector.usage?.usage(of: "FilterLogEvents").requests == 3)
            // A batch's cursor: 2 minutes behind its last event, with what was published since; the
            // last batch's, 2 minutes behind the end of the listing read (02:03:10).
            #expect(first[0].cursor["w:\(Self.group)"] == "1795744863000")
            #expect(try IncrementalCursor(decoding: first[0].cursor, keys: .logGroup(Self.group)).seenCount == 4)
            #expect(first[1].cursor["w:\(Self.group)"] == "1795744870000")
            #expect(try IncrementalCursor(decoding: first[1].cursor, keys: .logGroup(Self.group)).seenCount == 6)

            let event = try #require(try IncrementalFixtures.decode(LogsData.self, first).first?.events.first)
            #expect(
                event
                    == LogEvent(
                        id: "0", logGroup: Self.group, logStream: "2026/11/27/[$LATEST]4f1c2a9e0b7d",
                        timestamp: "2026-11-27T02:03:00.000Z", ingestionTime: "2026-11-27T02:13:38.119Z",
                        message: "START RequestId: 8f0e0a4c Version: $LATEST"))

            let second = try await collector.collect(from: try #require(first.last).cursor)
            #expect(try Self.ids(second) == ["6", "7"])
            #expect(second.last?.cursor["w:\(Self.group)"] == "1795744870000")

            let third = try await collector.collect(from: try #require(second.last).cursor)
            #expect(third.isEmpty)
            try await IncrementalFixtures.expectValid(first + second, schema: "aws-logs")
        }
    }

    /// `maxEventsPerPoll` 3: the first poll stops after 3 events (asking the second page for 1),
    /// the next continues from the cursor.
    @Test func maxEventsPerPollStopsEarlyAndTheNextPollContinues() async throws {
        let captures = try IncrementalFixtures.captures("collectors-logs/bounded")
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client, maxEventsPerPoll: 3)
            let first = try await collector.collect(from: [:])
            #expect(try Self.ids(first) == ["0", "1", "2"])
            #expect(collector.usage?.usage(of: "FilterLogEvents").requests == 2)
            let second = try await collector.collect(from: try #require(first.last).cursor)
            #expect(try Self.ids(second) == ["3", "4"])
            try await IncrementalFixtures.expectValid(first + second, schema: "aws-logs")
        }
    }

    @Test func anAWSErrorIsThrownWithServiceAndOperationAndTheCursorStays() async throws {
        let captures = try IncrementalFixtures.captures("collectors-logs/incremental")
        let faults = ReplayFaultSchedule(rules: [
            .init(operation: "FilterLogEvents", requests: [1], fault: ReplayFault(.throttle))
        ])
        try await IncrementalFixtures.withReplay(captures, faults: faults) { client in
            let collector = Self.collector(client)
            await #expect {
                try await collector.collect(from: [:])
            } throws: { error in
                let error = error as? AWSError
                return error?.service == "logs" && error?.operation == "FilterLogEvents" && error?.code == "ThrottlingException"
            }
            // Nothing was published, so the worker polls again from the same (empty) cursor and
            // the request that failed is answered this time: nothing is lost.
            let retried = try await collector.collect(from: [:])
            #expect(try Self.ids(retried) == ["0", "1", "2", "3", "4", "5"])
        }
    }

    @Test func withNoLogGroupTheStreamIsIdleAndSaysSoOnce() async throws {
        let (logger, store) = CapturingLogHandler.logger()
        // No server at all: an idle collector must not call AWS.
        try await IncrementalFixtures.withClient(endpoint: "http://127.0.0.1:9") { client in
            let collector = Self.collector(client, groups: [], logger: logger)
            for _ in 0..<3 {
                let batches = try await collector.collect(from: [:])
                #expect(batches.isEmpty)
            }
        }
        let lines = store.all
        #expect(lines.count == 1)
        #expect(lines.first?.level == .info)
        #expect(lines.first?.message.contains("No log group configured") == true)
    }

    /// moto on loopback, seeded through our own client: two groups, two polls, new events (one
    /// sharing the boundary timestamp) put in between. Integration: moto is a Python child process.
    @Test(.tags(.integration)) func againstMotoTwoPollsWithNewEventsInBetween() async throws {
        try await withMotoServer { moto in
            try await IncrementalFixtures.withClient(endpoint: moto.endpointURL) { client in
                let groups = ["/aws-realtime/orders", "/aws-realtime/payments"]
                for group in groups {
                    _ = try await client.call(
                        .cloudWatchLogs, operation: "CreateLogGroup", input: .object(["logGroupName": .string(group)]))
                    _ = try await client.call(
                        .cloudWatchLogs, operation: "CreateLogStream",
                        input: .object(["logGroupName": .string(group), "logStreamName": .string("app-1")]))
                }
                let base = Int64(Date().timeIntervalSince1970 * 1_000) - 60_000
                func put(_ group: String, _ events: [(Int64, String)]) async throws {
                    _ = try await client.call(
                        .cloudWatchLogs, operation: "PutLogEvents",
                        input: .object([
                            "logGroupName": .string(group), "logStreamName": .string("app-1"),
                            "logEvents": .array(
                                events.map { .object(["timestamp": .integer(base + $0.0), "message": .string($0.1)]) }),
                        ]))
                }
                try await put(groups[0], [(0, "o1"), (1_000, "o2"), (2_000, "o3")])
                try await put(groups[1], [(500, "p1")])

                let collector = Self.collector(client, groups: groups, maxEventsPerBatch: 2, now: { Date() })
                let first = try await collector.collect(from: [:])
                let firstEvents = try IncrementalFixtures.decode(LogsData.self, first).flatMap(\.events)
                #expect(firstEvents.map(\.message) == ["o1", "p1", "o2", "o3"])
                #expect(first.count == 2)
                let cursor = try #require(first.last).cursor
                // Both groups were read to the end: their windows start 2 minutes behind it.
                #expect(cursor["w:/aws-realtime/orders"] == cursor["w:/aws-realtime/payments"])
                #expect((Int64(cursor["w:/aws-realtime/orders"] ?? "") ?? 0) > base + 2_000 - 120_000)

                try await put(groups[0], [(2_000, "o4 same millisecond as o3"), (3_000, "o5")])
                try await put(groups[1], [(4_000, "p2")])
                let second = try await collector.collect(from: cursor)
                let secondEvents = try IncrementalFixtures.decode(LogsData.self, second).flatMap(\.events)
                #expect(secondEvents.map(\.message) == ["o4 same millisecond as o3", "o5", "p2"])
                #expect(secondEvents.map(\.logGroup) == [groups[0], groups[0], groups[1]])

                #expect(try await collector.collect(from: try #require(second.last).cursor).isEmpty)
                try await IncrementalFixtures.expectValid(first + second, schema: "aws-logs")
            }
        }
    }
}
