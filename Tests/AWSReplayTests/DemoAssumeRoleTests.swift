import AWSCapture
import AWSCore
import Foundation
import Testing

@testable import AWSReplay

/// The demo's STS `AssumeRole` and the answers to the credentials it issues: one demo endpoint
/// serves a worker with many targets, each answered in its own account and region.
@Suite struct DemoAssumeRoleTests {
    static let responder = DemoResponderTests.responder(at: DemoResponderTests.t0)

    static func assumeRole(_ parameters: String) -> AWSHTTPResponse {
        responder.response(to: DemoResponderTests.form("Action=AssumeRole&Version=2011-06-15&" + parameters))
    }

    /// A request signed with `accessKey` for `region` (only the credential scope matters to the demo).
    static func signed(_ request: CapturedRequest, accessKey: String, region: String, service: String) -> CapturedRequest {
        var request = request
        request.headers.append(
            AWSHTTPHeader(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(accessKey)/20261127/\(region)/\(service)/aws4_request, "
                    + "SignedHeaders=host;x-amz-date, Signature=0000"))
        return request
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }

    @Test func assumeRoleIssuesCredentialsForTheRolesAccount() throws {
        let response = Self.assumeRole(
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fteam%2Faws-realtime-reader"
                + "&RoleSessionName=aws-realtime&DurationSeconds=1800")
        let body = DemoResponderTests.body(response)
        #expect(response.status == 200)
        #expect(Self.element("AccessKeyId", in: body) == "ASIADEMO210987654321")
        #expect(Self.element("Arn", in: body) == "arn:aws:sts::210987654321:assumed-role/aws-realtime-reader/aws-realtime")
        #expect(Self.element("Expiration", in: body) == DemoClock.iso8601(DemoResponderTests.t0 + 1800))
        #expect(Self.element("SessionToken", in: body)?.isEmpty == false)
    }

    @Test func requestsSignedWithThoseCredentialsAreAnsweredInTheirAccountAndRegion() throws {
        let findings = DemoResponderTests.findings(#"{"MaxResults":100}"#)
        let theirs = DemoResponderTests.body(
            Self.responder.response(
                to: Self.signed(findings, accessKey: "ASIADEMO210987654321", region: "ap-southeast-2", service: "securityhub")))
        #expect(theirs.contains(#""AwsAccountId":"210987654321""#))
        #expect(theirs.contains("arn:aws:securityhub:ap-southeast-2:210987654321:"))
        #expect(!theirs.contains(DemoCaptures.account))

        let identity = DemoResponderTests.form("Action=GetCallerIdentity&Version=2011-06-15")
        let caller = DemoResponderTests.body(
            Self.responder.response(
                to: Self.signed(identity, accessKey: "ASIADEMO210987654321", region: "us-east-1", service: "sts")))
        #expect(Self.element("Account", in: caller) == "210987654321")
    }

    /// The demo's own key, a malformed scope or a key that only looks like an issued one: the
    /// demo's account and region, never a trap.
    @Test func anyOtherSignatureIsAnsweredInTheDemosAccountAndRegion() {
        let identity = DemoResponderTests.form("Action=GetCallerIdentity&Version=2011-06-15")
        let authorizations = [
            "AWS4-HMAC-SHA256 Credential=\(DemoResponder.accessKeyID)/20261127/eu-west-1/sts/aws4_request",
            "AWS4-HMAC-SHA256 Credential=ASIADEMO21098765432x/20261127/EU_WEST/sts/aws4_request",
            "AWS4-HMAC-SHA256 Credential=ASIADEMO2109876543210/x",
            "AWS4-HMAC-SHA256 Credential=/////",
            String(repeating: "Credential=", count: 1000),
        ]
        for authorization in authorizations {
            var request = identity
            request.headers.append(AWSHTTPHeader("Authorization", authorization))
            let caller = DemoCaller(request, defaultAccount: DemoCaptures.account, defaultRegion: "eu-west-1")
            #expect(caller == DemoCaller(account: DemoCaptures.account, region: "eu-west-1"), "\(authorization.prefix(80))")
        }
    }

    /// STS takes `[\w+=,.@-]` in a session name, as the worker's `sessionName` setting does: the
    /// demo took no `+` (refused `a+b` with a ValidationError the real STS would not send).
    @Test func everySessionNameSTSTakesIsTaken() throws {
        for name in ["a+b", "under_score", "x=y,z.w@v-u", "ab", String(repeating: "n", count: 64)] {
            let encoded = try #require(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let response = Self.assumeRole(
                "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=\(encoded)")
            #expect(response.status == 200, "\(name)")
            let arn = Self.element("Arn", in: DemoResponderTests.body(response))
            #expect(arn == "arn:aws:sts::210987654321:assumed-role/r/\(name)")
        }
    }

    @Test func malformedAssumeRoleRequestsAreRefusedAsSTSWould() {
        let cases = [
            "RoleSessionName=aws-realtime",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A2109876543%3Arole%2Fr&RoleSessionName=aws-realtime",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Auser%2Fr&RoleSessionName=aws-realtime",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=a%20b",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=a",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=" + String(repeating: "n", count: 65),
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=a%2Fb",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr%2F&RoleSessionName=ok",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=ok&DurationSeconds=60",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=ok&DurationSeconds=99999999999999999999",
        ]
        for parameters in cases {
            let response = Self.assumeRole(parameters)
            #expect(response.status == 400, "\(parameters)")
            #expect(DemoResponderTests.body(response).contains("<Code>ValidationError</Code>"), "\(parameters)")
        }
    }
}
