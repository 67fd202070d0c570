import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Logging
import Payloads
import TestSupport
import Testing

@testable import Worker

@Suite struct ActivityCollectorTests {
    /// 2026-11-22T09:13:20Z, just after the boundary captures' events.
    static let boundaryTime = Date(timeIntervalSince1970: 1_795_338_800)

    static func collector(
        _ client: AWSClient, rateLimiter: AWSRateLimiter = AWSRateLimiter(ratePerSecond: 1_000), maxEventsPerPoll: Int = 5_000,
        initialLookback: Duration = .seconds(3600), now: Date = boundaryTime
    ) -> ActivityCollector {
        var settings = ActivitySettings()
        settings.maxEventsPerPoll = maxEventsPerPoll
        settings.initialLookback = initialLookback
        let logger = IncrementalFixtures.logger
        return ActivityCollector(
            client: CloudTrailClient(client: client, rateLimiter: rateLimiter, logger: logger), settings: settings,
            logger: logger, now: { now })
    }

    static func events(_ batches: [CollectedBatch]) throws -> [ActivityEvent] {
        try IncrementalFixtures.decode(ActivityData.self, batches).flatMap(\.events)
    }

    /// The shipped CloudTrail captures (two pages, newest first) through CloudTrail's own 2 calls/s
    /// limiter: published oldest first, the assumed role named by its session issuer.
    @Test func shippedCapturesPublishOldestFirst() async throws {
        let captures = try IncrementalFixtures.captures("cloudtrail")
        try await IncrementalFixtures.withReplay(captures) { client in
            // AWS's example events lie five years apart: a first poll that looks back six.
            let collector = Self.collector(
                client, rateLimiter: .cloudTrailLookupEvents(clock: ContinuousClock()),
                initialLookback: .seconds(6 * 366 * 86_400), now: IncrementalFixtures.captureTime)
            let batches = try await collector.collect(from: [:])
            #expect(batches.count == 1)
            #expect(collector.usage?.usage(of: "LookupEvents").requests == 2)
            let events = try Self.events(batches)
            #expect(events.map(\.id) == ["654ccbc0-ba0d-486a-9076-dbf7274677a7", "3b1f7f3e-5c0a-4b52-9a0c-0d7a1f6f8e21"])
            let login = try #require(events.first)
            #expect(login.time == "2021-11-18T17:41:02.000Z")
            #expect(login.eventSource == "signin.amazonaws.com")
            #expect(login.eventName == "ConsoleLogin")
            #expect(
                login.who
                    == ActivityEvent.Actor(
                        type: "AssumedRole", userName: "my-role",
                        arn: "arn:aws:sts::123456789012:assumed-role/my-role/my-session-name",
                        accessKeyId: nil, principalId: "AROAJIKPFTA72SWU4L7T4:my-session-name"))
            #expect(login.sourceIPAddress == "72.21.198.70")
            #expect(login.awsRegion == "us-east-1")
            let stop = try #require(events.last)
            #expect(stop.readOnly == false)
            #expect(stop.who.userName == "deploy")
            #expect(stop.resources == [ActivityEvent.Resource(type: "AWS::EC2::Instance", name: "i-0123456789abcdef0")])
            // The listing was read to the capture time: the next poll starts 15 minutes before it,
            // long after both events, which the cursor forgets.
            #expect(batches.first?.cursor == ["w": "1795744680000", "seen": ""])
            try await IncrementalFixtures.expectValid(batches, schema: "aws-activity")
        }
    }

    /// Poll 1 (two pages), poll 2 (an event in the boundary second), poll 3 (nothing new); an
    /// event whose CloudTrailEvent does not parse is published with what LookupEvents gives.
    @Test func continuesFromTheCursorAcrossTheBoundarySecond() async throws {
        let captures = try IncrementalFixtures.captures("collectors-activity/boundary")
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client)
            let first = try await collector.collect(from: [:])
            let events = try Self.events(first)
            #expect(events.map(\.eventName) == ["DescribeInstances", "PutBucketPolicy", "StopInstances"])
            #expect(events[0].readOnly == true)
            #expect(events[0].who.userName == "alice")
            #expect(events[0].who.type == "IAMUser")

            let unparsed = events[1]
            #expect(unparsed.eventSource == "s3.amazonaws.com")
            #expect(unparsed.readOnly == false)
            #expect(
                unparsed.who == ActivityEvent.Actor(type: nil, userName: "alice", arn: nil, accessKeyId: nil, principalId: nil))
            #expect(unparsed.resources == [ActivityEvent.Resource(type: "AWS::S3::Bucket", name: "orders-archive")])
            #expect(unparsed.awsRegion == nil)

            let stop = events[2]
            #expect(stop.errorCode == "Client.UnauthorizedOperation")
            #expect(stop.errorMessage == "You are not authorized to perform this operation.")
            #expect(stop.who.userName == "deploy")
            #expect(stop.who.accessKeyId == "ASIAREDACTEDREDACTED")
            #expect(stop.userAgent == "aws-cli/2.15.0")
            #expect(stop.time == "2026-11-22T09:12:45.000Z")

            let cursor = try #require(first.last).cursor
            // 15 minutes behind the end of the listing read, with the three events remembered.
            #expect(cursor["w"] == "1795337900000")
            #expect(try IncrementalCursor(decoding: cursor).seenCount == 3)
            let second = try await collector.collect(from: cursor)
            let start = try #require(try Self.events(second).first)
            #expect(try Self.events(second).count == 1)
            #expect(start.eventName == "StartInstances")
            #expect(
                start.resources == [
                    ActivityEvent.Resource(
                        type: "AWS::EC2::Instance", name: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0fedcba")
                ])

            #expect(try await collector.collect(from: try #require(second.last).cursor).isEmpty)
            try await IncrementalFixtures.expectValid(first + second, schema: "aws-activity")
        }
    }

    @Test func maxEventsPerPollPublishesTheOldestAndTheRestNextPoll() async throws {
        let captures = try IncrementalFixtures.captures("collectors-activity/boundary")
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client, maxEventsPerPoll: 2)
            let first = try await collector.collect(from: [:])
            #expect(try Self.events(first).map(\.eventName) == ["DescribeInstances", "PutBucketPolicy"])
            // Poll 2's capture lists d and c: c (left over) and d (new) follow, oldest first.
            let second = try await collector.collect(from: try #require(first.last).cursor)
            #expect(try Self.events(second).map(\.eventName) == ["StartInstances", "StopInstances"])
        }
    }

    @Test func anAWSErrorIsThrownWithServiceAndOperation() async throws {
        let captures = try IncrementalFixtures.captures("cloudtrail")
        let faults = ReplayFaultSchedule(rules: [.init(operation: "LookupEvents", requests: [2], fault: ReplayFault(.throttle))])
        try await IncrementalFixtures.withReplay(captures, faults: faults) { client in
            await #expect {
                try await Self.collector(client).collect(from: [:])
            } throws: { error in
                let error = error as? AWSError
                return error?.service == "cloudtrail" && error?.operation == "LookupEvents"
                    && error?.code == "ThrottlingException"
            }
        }
    }
}
