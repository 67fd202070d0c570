import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

@Suite struct SecurityHubClientTests {
    static let json = "application/json"

    @Test func getFindingsFollowsNextTokenToTheEnd() async throws {
        let pages = [
            try fixtures.text("securityhub/GetFindings-page1.json"), try fixtures.text("securityhub/GetFindings-page2.json"),
        ]
        let handler = pagedHandler(pages: pages, tokens: ["U2VjdXJpdHlIdWJQYWdlVG9rZW4y"], contentType: Self.json) {
            $0.json["NextToken"]?.stringValue
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let since = Date(timeIntervalSince1970: 1_591_000_000.25)
            let output = try await SecurityHubClient(client: client, logger: testLogger).getFindings(
                .activeFindings(updatedSince: since, maxResults: 500))
            #expect(output.pages == 2)
            #expect(output.findings.count == 2)
            let finding = output.findings[0]
            #expect(finding.id.hasSuffix("PCI.Lambda.2/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"))
            #expect(finding.productArn == "arn:aws:securityhub:us-west-1::product/aws/securityhub")
            #expect(finding.generatorId == "pci-dss/v/3.2.1/PCI.Lambda.2")
            #expect(finding.awsAccountId == "123456789012")
            #expect(finding.title == "PCI.Lambda.2 Lambda functions should be in a VPC")
            #expect(finding.severity?.label == "INFORMATIONAL")
            #expect(finding.severity?.normalized == 0)
            #expect(finding.severity?.original == "0")
            #expect(finding.updatedAt == AWSTimestamp.parse("2020-06-02T14:02:52.397Z"))
            #expect(finding.updatedAt?.timeIntervalSince1970 == 1_591_106_572.397)
            #expect(finding.createdAt?.timeIntervalSince1970 == 1_591_106_569.159)
            #expect(finding.resources.first?.type == "AwsAccount")
            #expect(finding.resources.first?.region == "us-west-1")
            #expect(finding.workflowStatus == "NEW")
            #expect(finding.workflowState == "NEW")
            #expect(finding.recordState == "ARCHIVED")
            #expect(finding.complianceStatus == "PASSED")
            #expect(output.findings[1].workflowStatus == "NOTIFIED")
            #expect(output.findings[1].complianceStatus == "FAILED")

            let request = server.requests[0]
            #expect(request.method == "POST")
            #expect(request.uri == "/findings")
            let body = request.json
            #expect(body["MaxResults"] == .integer(100))
            #expect(
                body["Filters"]?["RecordState"]
                    == .array([.object(["Value": .string("ACTIVE"), "Comparison": .string("EQUALS")])]))
            #expect(body["Filters"]?["UpdatedAt"] == .array([.object(["Start": .string("2020-06-01T08:26:40.250Z")])]))
            #expect(body["SortCriteria"] == .array([.object(["Field": .string("UpdatedAt"), "SortOrder": .string("asc")])]))
            #expect(server.requests[1].json["NextToken"] == .string("U2VjdXJpdHlIdWJQYWdlVG9rZW4y"))
        }
    }

    @Test func emptyAndNullToken() async throws {
        try await withScriptedAWS(handler: { _ in
            .respond(headers: [("Content-Type", "text/html")], body: #"{"Findings": [], "NextToken": null}"#)
        }) { client, server in
            let output = try await SecurityHubClient(client: client, logger: testLogger).getFindings(GetFindingsInput())
            #expect(output.findings.isEmpty)
            #expect(server.requests.count == 1)
        }
    }

    @Test func restJSONErrorFromTheHeader() async throws {
        let raw = try fixtures.text("errors/rest-json-ThrottlingException.http")
        let separator = try #require(raw.range(of: "\n\n"))
        let body = String(raw[separator.upperBound...])
        try await withScriptedAWS(handler: { _ in
            .respond(
                status: 400,
                headers: [
                    ("x-amzn-errortype", "ThrottlingException:"), ("x-amzn-requestid", "1234"), ("Content-Type", Self.json),
                ], body: body)
        }) { client, _ in
            await #expect {
                try await SecurityHubClient(client: client, logger: testLogger).getFindings(GetFindingsInput())
            } throws: { error in
                let error = error as? AWSError
                return error?.code == "ThrottlingException" && error?.service == "securityhub"
                    && error?.operation == "GetFindings"
                    && error?.requestID == "1234"
            }
        }
    }

    /// A finding with a date that is not one is left out of its page with the field named (one bad
    /// finding must not fail every poll); a page that is not a page still fails.
    @Test func badTimestampSkipsTheFinding() async throws {
        let body = #"{"Findings": [{"Id": "f", "UpdatedAt": "last tuesday"}, {"Id": "g"}]}"#
        try await withScriptedAWS(handler: { _ in .respond(body: body) }) { client, _ in
            let page = try await SecurityHubClient(client: client, logger: testLogger).getFindingsPage(GetFindingsInput())
            #expect(page.items.map(\.id) == ["g"])
            #expect(page.skipped.map(\.id) == ["f"])
            #expect(page.skipped.first?.reason.hasPrefix(".Findings[0].UpdatedAt: 'last tuesday' is not an ISO-8601") == true)
        }
        try await withScriptedAWS(handler: { _ in .respond(body: #"{"Findings": "none"}"#) }) { client, _ in
            await #expect {
                try await SecurityHubClient(client: client, logger: testLogger).getFindings(GetFindingsInput())
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .malformedResponse && error?.message.contains("Findings") == true
            }
        }
    }
}
