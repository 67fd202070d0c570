import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Logging
import Payloads
import TestSupport
import Testing

@testable import Worker

@Suite struct SecurityCollectorTests {
    static func collector(
        _ client: AWSClient, settings: SecuritySettings = settings(),
        now: @escaping @Sendable () -> Date = { IncrementalFixtures.captureTime }
    ) -> SecurityCollector {
        let logger = IncrementalFixtures.logger
        return SecurityCollector(
            client: SecurityHubClient(client: client, logger: logger), settings: settings, logger: logger, now: now)
    }

    /// A 6-hour window: the captures' findings were updated hours before the capture time.
    static func settings(maxFindingsPerPoll: Int = 100) -> SecuritySettings {
        var settings = SecuritySettings()
        settings.maxFindingsPerPoll = maxFindingsPerPoll
        settings.window = IncrementalWindow(overlap: .seconds(6 * 3600))
        return settings
    }

    static func findings(_ batches: [CollectedBatch]) throws -> [SecurityFinding] {
        try IncrementalFixtures.decode(SecurityData.self, batches).flatMap(\.findings)
    }

    static func control(_ finding: SecurityFinding) -> String {
        finding.generator?.split(separator: "/").last.map(String.init) ?? "?"
    }

    /// Three pages (MaxResults 100, then what is left of the poll's 100), a poll with a finding
    /// updated at the boundary instant and an older finding updated again, then nothing new.
    @Test func pagesThenContinuesFromTheCursorAcrossTheBoundary() async throws {
        let captures = try IncrementalFixtures.captures("collectors-security/incremental")
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = Self.collector(client)
            let first = try await collector.collect(from: [:])
            let findings = try Self.findings(first)
            #expect(findings.map(Self.control) == ["EC2.1", "EC2.2", "EC2.3", "EC2.4", "EC2.5"])
            #expect(collector.usage?.usage(of: "GetFindings").requests == 3)
            let second = findings[1]
            #expect(second.severity == SecurityFinding.Severity(label: "MEDIUM", score: 40))
            #expect(second.product == "Security Hub")
            #expect(second.complianceStatus == "FAILED")
            #expect(second.region == "eu-west-1")
            #expect(second.workflowStatus == "NEW")
            #expect(second.recordState == "ACTIVE")
            #expect(second.account == "123456789012")
            #expect(second.createdAt == "2026-11-26T22:13:00.000Z")
            #expect(second.updatedAt == "2026-11-26T22:13:00.000Z")
            #expect(findings[0].product == "aws/securityhub")
            #expect(findings[0].severity == SecurityFinding.Severity(label: "LOW", score: nil))
            #expect(
                findings[0].resources == [
                    SecurityFinding.Resource(
                        type: "AwsEc2SecurityGroup", id: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-001f2e3d4c5b6a7",
                        region: "eu-west-1")
                ])

            let cursor = try #require(first.last).cursor
            let secondPoll = try await collector.collect(from: cursor)
            let updates = try Self.findings(secondPoll)
            #expect(updates.map(Self.control) == ["EC2.6", "EC2.1"])
            #expect(updates[0].severity == SecurityFinding.Severity(label: "CRITICAL", score: 90))
            #expect(updates[1].workflowStatus == "NOTIFIED")
            #expect(updates[1].updatedAt == "2026-11-27T02:00:00.000Z")

            #expect(try await collector.collect(from: try #require(secondPoll.last).cursor).isEmpty)
            try await IncrementalFixtures.expectValid(first + secondPoll, schema: "aws-security")
        }
    }

    /// The capture's request carries the settings' severity and workflow filters: a collector
    /// that sent others would get the replay server's 404.
    @Test func sendsTheFiltersOfItsSettings() async throws {
        let captures = try IncrementalFixtures.captures("collectors-security/filtered")
        try await IncrementalFixtures.withReplay(captures) { client in
            var settings = Self.settings()
            settings.severityLabels = ["HIGH", "CRITICAL"]
            settings.workflowStatuses = ["NEW"]
            let batches = try await Self.collector(client, settings: settings).collect(from: [:])
            #expect(try Self.findings(batches).map(\.severity.label) == ["HIGH", "CRITICAL"])
            try await IncrementalFixtures.expectValid(batches, schema: "aws-security")
        }
    }

    /// An administrator account with cross-Region aggregation reads its members' findings of every
    /// linked Region in one listing: each payload holds findings of one account and Region, which
    /// its envelope carries (a gateway's account filter must not see another account's findings
    /// under the administrator's id), in the listing's order, each with the cursor past its own
    /// findings. A finding whose AwsAccountId or Region is not well formed stays with the target's.
    @Test func anAdministratorsFindingsArePublishedUnderTheirOwnAccountAndRegion() async throws {
        let captures = try IncrementalFixtures.captures("collectors-security/administrator")
        try await IncrementalFixtures.withReplay(captures) { client in
            let batches = try await Self.collector(client).collect(from: [:])
            #expect(batches.map(\.account) == ["111111111111", "222222222222", "111111111111", "222222222222", nil])
            #expect(batches.map(\.region) == ["eu-west-1", "eu-west-1", "us-east-1", "us-east-1", nil])
            let perBatch = try batches.map { try Self.findings([$0]).map(Self.control) }
            #expect(perBatch == [["0", "1"], ["2"], ["3"], ["4"], ["5"]])
            for (index, batch) in batches.enumerated() {
                let cursor = try IncrementalCursor(decoding: batch.cursor)
                #expect(cursor.seenCount == perBatch[...index].joined().count)
            }
            try await IncrementalFixtures.expectValid(batches, schema: "aws-security")
        }
    }

    @Test func anAWSErrorIsThrownWithServiceAndOperation() async throws {
        let captures = try IncrementalFixtures.captures("collectors-security/incremental")
        let faults = ReplayFaultSchedule(rules: [.init(path: "/findings", requests: [1], fault: ReplayFault(.accessDenied))])
        try await IncrementalFixtures.withReplay(captures, faults: faults) { client in
            await #expect {
                try await Self.collector(client).collect(from: [:])
            } throws: { error in
                let error = error as? AWSError
                return error?.service == "securityhub" && error?.operation == "GetFindings"
                    && error?.code == "AccessDeniedException"
            }
        }
    }

    /// moto on loopback: EnableSecurityHub + BatchImportFindings, two polls with new findings
    /// (one updated at the boundary instant) imported in between. Integration: moto is a Python child process.
    @Test(.tags(.integration)) func againstMotoTwoPollsWithNewFindingsInBetween() async throws {
        try await withMotoServer { moto in
            try await IncrementalFixtures.withClient(endpoint: moto.endpointURL) { client in
                let seeding = AWSService(
                    cliName: "securityhub", serviceID: "SecurityHub", signingName: "securityhub", endpointPrefix: "securityhub",
                    wireProtocol: .restJSON(operations: [
                        "EnableSecurityHub": AWSRESTBinding(method: "POST", path: "/accounts"),
                        "BatchImportFindings": AWSRESTBinding(method: "POST", path: "/findings/import"),
                    ]))
                _ = try await client.call(seeding, operation: "EnableSecurityHub", input: .object([:]))
                let base = (Date().timeIntervalSince1970 - 3_600).rounded(.down)
                func finding(_ index: Int, updatedAt offset: Double, label: String = "LOW") -> JSONValue {
                    .object([
                        "SchemaVersion": .string("2018-10-08"),
                        "Id": .string("finding-\(index)"),
                        "ProductArn": .string("arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"),
                        "GeneratorId": .string("aws-realtime-test"),
                        "AwsAccountId": .string("123456789012"),
                        "Types": .array([.string("Software and Configuration Checks")]),
                        "CreatedAt": .string(AWSTimestamp.iso8601WithMilliseconds(Date(timeIntervalSince1970: base))),
                        "UpdatedAt": .string(AWSTimestamp.iso8601WithMilliseconds(Date(timeIntervalSince1970: base + offset))),
                        "Severity": .object(["Label": .string(label)]),
                        "Title": .string("Finding \(index)"),
                        "Description": .string("Imported by the test"),
                        "Workflow": .object(["Status": .string("NEW")]),
                        "RecordState": .string("ACTIVE"),
                        "Resources": .array([
                            .object([
                                "Type": .string("AwsEc2Instance"), "Id": .string("i-\(index)"), "Region": .string("us-east-1"),
                            ])
                        ]),
                    ])
                }
                func importFindings(_ findings: [JSONValue]) async throws {
                    let imported = try await client.call(
                        seeding, operation: "BatchImportFindings", input: .object(["Findings": .array(findings)]))
                    #expect(imported["SuccessCount"] == .integer(Int64(findings.count)))
                }
                try await importFindings((0..<3).map { finding($0, updatedAt: Double($0) + 0.5) })

                let collector = Self.collector(client, now: { Date() })
                let first = try await collector.collect(from: [:])
                #expect(try Self.findings(first).map(\.id) == ["finding-0", "finding-1", "finding-2"])
                let cursor = try #require(first.last).cursor
                #expect(try IncrementalCursor(decoding: cursor).seenCount == 3)

                try await importFindings([
                    finding(3, updatedAt: 2.5, label: "HIGH"), finding(4, updatedAt: 10, label: "CRITICAL"),
                ])
                let second = try await collector.collect(from: cursor)
                let findings = try Self.findings(second)
                #expect(findings.map(\.id) == ["finding-3", "finding-4"])
                #expect(findings.map(\.severity.label) == ["HIGH", "CRITICAL"])
                #expect(try await collector.collect(from: try #require(second.last).cursor).isEmpty)
                try await IncrementalFixtures.expectValid(first + second, schema: "aws-security")
            }
        }
    }
}
