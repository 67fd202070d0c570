import AWSCapture
import AWSCore
import AWSServices
import Foundation
import Payloads
import Testing

@testable import Worker

/// `aws-health` with `organizationView`, against replayed answers of the organization APIs through
/// the real libcurl path (moto has neither).
@Suite struct HealthOrganizationViewTests {
    static let now = Date(timeIntervalSince1970: 1_589_090_400)  // 2020-05-10T06:00:00Z

    static func collector(_ client: AWSClient, maxEventsPerPoll: Int) -> HealthCollector {
        var settings = HealthSettings()
        settings.organizationView = true
        settings.maxEventsPerPoll = maxEventsPerPoll
        settings.initialLookback = .seconds(86_400)
        settings.window = IncrementalWindow(overlap: .seconds(7_200))
        let logger = IncrementalFixtures.logger
        return HealthCollector(
            client: HealthClient(client: client, logger: logger), settings: settings, logger: logger, now: { now })
    }

    static func health(_ name: String, operation: String, request: String, response: String) -> Capture {
        Capture.json11(name, target: "AWSHealth_20160804.\(operation)", request: request, response: response)
    }

    static func event(_ name: String, scope: String, updated: Int) -> String {
        #"{"arn":"arn:aws:health:eu-west-1::event/EC2/\#(name)","service":"EC2","eventTypeCode":"\#(name)","#
            + #""eventTypeCategory":"scheduledChange","eventScopeCode":"\#(scope)","region":"eu-west-1","#
            + #""startTime":1589000000,"lastUpdatedTime":\#(updated),"statusCode":"upcoming"}"#
    }

    static func affected(_ name: String, _ accounts: [String], nextToken: String? = nil) -> (String, String) {
        let token = nextToken.map { #","nextToken":"\#($0)""# } ?? ""
        return (
            #"{"eventArn":"arn:aws:health:eu-west-1::event/EC2/\#(name)","maxResults":50}"#,
            #"{"affectedAccounts":[\#(accounts.map { "\"\($0)\"" }.joined(separator: ","))],"#
                + #""eventScopeCode":"ACCOUNT_SPECIFIC"\#(token)}"#
        )
    }

    /// Three events updated 04:00 (account-specific, 2 accounts over 2 pages), 04:30 (public) and
    /// 05:00 (account-specific: one account, one id that is not an account id). The first poll,
    /// bounded to 2, publishes the 04:00 event under each of its accounts and stops; the second
    /// goes on with the public event (under the polling account) and the 05:00 one, without asking
    /// again for the accounts of the first (the replay serves each recorded call once).
    @Test func eachAccountSpecificEventIsPublishedUnderEveryAccountItAffects() async throws {
        let events =
            #"{"events":["#
            + [
                Self.event("THIRD", scope: "ACCOUNT_SPECIFIC", updated: 1_589_083_200 + 3_600),
                Self.event("SECOND", scope: "PUBLIC", updated: 1_589_083_200 + 1_800),
                Self.event("FIRST", scope: "ACCOUNT_SPECIFIC", updated: 1_589_083_200),
            ].joined(separator: ",") + "]}"
        let listing = #"{"filter":{"lastUpdatedTime":{"from":1}},"maxResults":100}"#
        let first = [Self.affected("FIRST", ["111111111111"], nextToken: "page-2"), Self.affected("FIRST", ["222222222222"])]
        let third = Self.affected("THIRD", ["222222222222", "not-an-account"])
        let captures = [
            Self.health("0001-health.json", operation: "DescribeEventsForOrganization", request: listing, response: events),
            Self.health(
                "0002-health.json", operation: "DescribeAffectedAccountsForOrganization", request: first[0].0,
                response: first[0].1),
            Self.health(
                "0003-health.json", operation: "DescribeAffectedAccountsForOrganization", request: first[1].0,
                response: first[1].1),
            Self.health("0004-health.json", operation: "DescribeEventsForOrganization", request: listing, response: events),
            Self.health(
                "0005-health.json", operation: "DescribeAffectedAccountsForOrganization", request: third.0, response: third.1),
        ]
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client, maxEventsPerPoll: 2)
            let firstPoll = try await collector.poll(from: [:])
            #expect(firstPoll.batches.map(\.account) == ["111111111111", "222222222222"])
            #expect(try HealthCollectorTests.events(firstPoll.batches).map(\.typeCode) == ["FIRST", "FIRST"])

            let cursor = try #require(firstPoll.cursor)
            let secondPoll = try await collector.poll(from: cursor)
            #expect(secondPoll.batches.map(\.account) == [nil, "222222222222"])
            #expect(try HealthCollectorTests.events(secondPoll.batches).map(\.typeCode) == ["SECOND", "THIRD"])
            #expect(collector.usage?.usage(of: "DescribeAffectedAccountsForOrganization").requests == 3, "2 pages, then 1")
            #expect(collector.usage?.usage(of: "DescribeEventsForOrganization").requests == 2)
            try await IncrementalFixtures.expectValid(firstPoll.batches + secondPoll.batches, schema: "aws-health")
        }
    }
}
