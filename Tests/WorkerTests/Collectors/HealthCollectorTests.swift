import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Logging
import Payloads
import TestSupport
import Testing

@testable import Worker

@Suite struct HealthCollectorTests {
    /// 2020-05-10T06:00:00Z: AWS's example events were updated that morning.
    static let captureEnd = Date(timeIntervalSince1970: 1_589_090_400)

    /// A first poll that looks back 5 years, and a 2-hour window that holds the morning's updates.
    static func collector(_ client: AWSClient, maxEventsPerPoll: Int = 1_000) -> HealthCollector {
        var settings = HealthSettings()
        settings.maxEventsPerPoll = maxEventsPerPoll
        settings.initialLookback = .seconds(5 * 366 * 86_400)
        settings.window = IncrementalWindow(overlap: .seconds(7_200))
        let logger = IncrementalFixtures.logger
        return HealthCollector(
            client: HealthClient(client: client, logger: logger), settings: settings, logger: logger, now: { captureEnd })
    }

    static func events(_ batches: [CollectedBatch]) throws -> [Payloads.HealthEvent] {
        try IncrementalFixtures.decode(HealthData.self, batches).flatMap(\.events)
    }

    /// Two pages (newest first) published oldest update first; a poll with an event updated at the
    /// boundary instant and an update of an older event; then nothing new.
    @Test func pagesThenContinuesFromTheCursorAcrossTheBoundary() async throws {
        let captures = try IncrementalFixtures.captures("collectors-health/incremental")
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client)
            let first = try await collector.collect(from: [:])
            let events = try Self.events(first)
            #expect(events.count == 10)
            #expect(events.map(\.lastUpdatedTime) == events.map(\.lastUpdatedTime).sorted())
            #expect(collector.usage?.usage(of: "DescribeEvents").requests == 2)
            let ecs = try #require(events.last)
            #expect(
                ecs
                    == Payloads.HealthEvent(
                        arn:
                            "arn:aws:health:us-west-1::event/ECS/AWS_ECS_OPERATIONAL_ISSUE/AWS_ECS_OPERATIONAL_ISSUE_KWQPY_EXAMPLE111",
                        service: "ECS", typeCode: "AWS_ECS_OPERATIONAL_ISSUE", category: "issue", region: "us-west-1",
                        availabilityZone: nil, startTime: "2020-05-10T02:31:30.530Z", endTime: "2020-05-10T04:52:25.597Z",
                        lastUpdatedTime: "2020-05-10T04:52:25.905Z", status: "closed", scope: "PUBLIC"))
            let billing = try #require(events.first { $0.service == "BILLING" })
            #expect(billing.endTime == nil)
            #expect(billing.status == "open")
            let cursor = try #require(first.last).cursor
            #expect(cursor["w"] == "1589083200000")

            let second = try await collector.collect(from: cursor)
            let updates = try Self.events(second)
            #expect(updates.map(\.service) == ["ECS", "BILLING"])
            #expect(updates[0].availabilityZone == "usw2-az1")
            #expect(updates[0].endTime == nil)
            #expect(updates[1].status == "closed")
            #expect(updates[1].endTime == "2020-05-10T05:36:40.250Z")
            #expect(updates[1].lastUpdatedTime == "2020-05-10T05:53:20.000Z")

            #expect(try await collector.collect(from: try #require(second.last).cursor).isEmpty)
            try await IncrementalFixtures.expectValid(first + second, schema: "aws-health")
        }
    }

    @Test func maxEventsPerPollPublishesTheOldest() async throws {
        let captures = try IncrementalFixtures.captures("collectors-health/incremental")
        try await IncrementalFixtures.withReplay(captures) { client in
            let first = try await Self.collector(client, maxEventsPerPoll: 4).collect(from: [:])
            #expect(try Self.events(first).map(\.service) == ["EC2", "IAM", "SES", "CLOUDFRONT"])
            try await IncrementalFixtures.expectValid(first, schema: "aws-health")
        }
    }

    @Test func anAWSErrorIsThrownWithServiceAndOperation() async throws {
        let captures = try IncrementalFixtures.captures("collectors-health/incremental")
        let faults = ReplayFaultSchedule(rules: [
            .init(operation: "DescribeEvents", requests: [2], fault: ReplayFault(.internalError))
        ])
        try await IncrementalFixtures.withReplay(captures, faults: faults) { client in
            await #expect {
                try await Self.collector(client).collect(from: [:])
            } throws: { error in
                let error = error as? AWSError
                return error?.service == "health" && error?.operation == "DescribeEvents"
            }
        }
    }
}
