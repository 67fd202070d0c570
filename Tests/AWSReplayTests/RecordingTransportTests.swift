import AWSCapture
import AWSCore
import Foundation
import Testing

/// Answers every request with a canned response (or throws), like a transport to AWS would.
struct CannedTransport: Transport {
    var respond: @Sendable (AWSHTTPRequest) throws -> AWSHTTPResponse

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        try respond(request)
    }
}

struct SimulatedReset: Error, CustomStringConvertible {
    var description: String { "connection reset by peer" }
}

@Suite struct RecordingTransportTests {
    // Fake secrets, each unique so a scan can find any leftover.
    static let accessKeyID = "AKIAZZFAKEACCESSKEY1"
    static let sessionKeyID = "ASIAZZFAKESESSIONKY2"
    static let secretKey = "fakeSecretKey/ZZ+9876543210abcdefghijKLMNOP"
    static let sessionToken = "FwoGZXIvYXdzEFakeSessionTokenZZ0123456789+/abcdefXYZ=="
    static let signature = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
    static let imdsToken = "AQAEAFakeIMDSv2TokenZZ-0123456789abcdef=="
    static let webIdentityToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZXNpZ25hdHVyZVpa"
    static let containerSecret = "containerFakeSecretZZ/abcdefghijklmnopqrstu"
    static let containerToken = "IQoJb3JpZ2luX2VjEFakeContainerTokenZZ=="
    static let allSecrets = [
        accessKeyID, sessionKeyID, secretKey, sessionToken, signature, imdsToken, webIdentityToken, containerSecret,
        containerToken,
    ]

    static let authorization =
        "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/20261127/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(signature)"

    static func respond(_ request: AWSHTTPRequest) throws -> AWSHTTPResponse {
        let path = CapturedRequest.splitURL(request.url).path
        switch path {
        case "/latest/api/token":
            return AWSHTTPResponse(
                status: 200, headers: [AWSHTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                body: Array(imdsToken.utf8))
        case "/latest/meta-data/iam/security-credentials/role":
            let body = """
                {
                  "Code" : "Success",
                  "AccessKeyId" : "\(sessionKeyID)",
                  "SecretAccessKey" : "\(containerSecret)",
                  "Token" : "\(containerToken)",
                  "Expiration" : "2026-11-27T08:00:00Z"
                }
                """
            return AWSHTTPResponse(status: 200, headers: [AWSHTTPHeader("Content-Type", "text/plain")], body: Array(body.utf8))
        case "/v2/credentials/abc":
            let body =
                #"{"RoleArn":"arn:aws:iam::123456789012:role/x","AccessKeyId":"\#(sessionKeyID)","SecretAccessKey":"\#(containerSecret)","Token":"\#(containerToken)","Expiration":"2026-11-27T08:00:00Z"}"#
            return AWSHTTPResponse(
                status: 200, headers: [AWSHTTPHeader("Content-Type", "application/json")], body: Array(body.utf8))
        case "/fails":
            throw SimulatedReset()
        default:
            let body = """
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult>
                    <Credentials>
                      <SessionToken>\(sessionToken)</SessionToken>
                      <SecretAccessKey>\(secretKey)</SecretAccessKey>
                      <Expiration>2026-11-27T08:00:00Z</Expiration>
                      <AccessKeyId>\(sessionKeyID)</AccessKeyId>
                    </Credentials>
                    <SubjectFromWebIdentityToken>caller \(accessKeyID)</SubjectFromWebIdentityToken>
                  </AssumeRoleWithWebIdentityResult>
                </AssumeRoleWithWebIdentityResponse>
                """
            return AWSHTTPResponse(status: 200, headers: [AWSHTTPHeader("Content-Type", "text/xml")], body: Array(body.utf8))
        }
    }

    @Test func aRecordedFolderHoldsNoSecret() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("replay-record-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recorder = try CaptureRecorder(folder: folder)
        let transport = RecordingTransport(wrapping: CannedTransport(respond: Self.respond), recorder: recorder)

        let signed = [
            AWSHTTPHeader("Authorization", Self.authorization), AWSHTTPHeader("X-Amz-Security-Token", Self.sessionToken),
        ]
        _ = try await transport.send(
            AWSHTTPRequest(
                method: "POST",
                url: "https://sts.eu-west-1.amazonaws.com/",
                headers: signed + [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=\(Self.webIdentityToken)".utf8)
            )
        )
        _ = try await transport.send(
            AWSHTTPRequest(
                method: "GET",
                url:
                    "https://monitoring.eu-west-1.amazonaws.com/?Action=ListMetrics&X-Amz-Credential=\(Self.accessKeyID)%2F20261127&X-Amz-Signature=\(Self.signature)&X-Amz-Security-Token=\(Self.sessionToken)",
                headers: [AWSHTTPHeader("User-Agent", "key \(Self.accessKeyID)")]
            )
        )
        _ = try await transport.send(
            AWSHTTPRequest(
                method: "PUT", url: "http://169.254.169.254/latest/api/token",
                headers: [AWSHTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", "21600")])
        )
        _ = try await transport.send(
            AWSHTTPRequest(
                method: "GET",
                url: "http://169.254.169.254/latest/meta-data/iam/security-credentials/role",
                headers: [AWSHTTPHeader("X-aws-ec2-metadata-token", Self.imdsToken)]
            )
        )
        _ = try await transport.send(
            AWSHTTPRequest(
                method: "GET", url: "http://169.254.170.2/v2/credentials/abc",
                headers: [AWSHTTPHeader("Authorization", Self.containerToken)])
        )
        await #expect(throws: SimulatedReset.self) {
            try await transport.send(
                AWSHTTPRequest(method: "POST", url: "https://logs.eu-west-1.amazonaws.com/fails", headers: signed))
        }

        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.count == 6)
        #expect(files.first == "0001-sts-AssumeRoleWithWebIdentity.json")
        var everything: [UInt8] = []
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(file)))
            everything += Array(file.utf8) + bytes
            _ = try CaptureFile.decode(bytes, name: file)
        }
        for secret in Self.allSecrets {
            #expect(!everything.contains(Array(secret.utf8)), "secret \(secret) leaked into the capture folder")
        }
        let text = String(decoding: everything, as: UTF8.self)
        #expect(text.contains("Credential=REDACTED/20261127/eu-west-1/sts/aws4_request"))
        #expect(text.contains("<SecretAccessKey>REDACTED</SecretAccessKey>"))
        #expect(text.contains("key AKIAREDACTEDREDACTED"))
        #expect(text.contains("connection reset by peer"))
    }

    @Test func replayingTransportAnswersFromCaptures() async throws {
        let capture = Fixtures.json11(
            "0001.json", target: Fixtures.logsTarget, requestBody: #"{"a":1}"#, responseBody: #"{"events":[]}"#)
        let transport = ReplayingTransport(captures: [capture])
        let request = AWSHTTPRequest(
            method: "POST",
            url: "http://127.0.0.1:1/",
            headers: [AWSHTTPHeader("X-Amz-Target", Fixtures.logsTarget)],
            body: Array(#"{ "a" : 1 }"#.utf8)
        )
        #expect(try await transport.send(request).body == Array(#"{"events":[]}"#.utf8))
        var other = request
        other.body = Array(#"{"a":2}"#.utf8)
        let missing = try await transport.send(other)
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self).contains("ReplayNoMatchingCapture"))
    }
}
