import AWSCore
import Foundation
import TestSupport
import Testing

/// IMDSv2 against a fake that enforces the token rules, via `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
/// Integration: libcurl to an HTTP server on 127.0.0.1 under the chain's 1 s metadata timeout.
@Suite(.tags(.integration)) struct InstanceMetadataCredentialTests {
    static let start = "2026-11-27T00:00:00Z"

    @Test func tokenThenRoleThenCredentials() async throws {
        let clock = ManualClock(iso: Self.start)
        let imds = FakeInstanceMetadataServer {
            metadataCredentialsJSON(accessKey: "ASIAIMDS", expiration: clock.now().addingTimeInterval(6 * 3600))
        }
        let (logger, lines) = capturingLogger()
        try await withHTTPTestServer(handler: imds.handle) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                let environment = ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url("/")]
                let chain = AWSCredentialChain.makeDefault(
                    environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                    logger: logger)
                let credentials = try await chain.credentials()
                #expect(credentials.accessKeyID == "ASIAIMDS")
                #expect(credentials.sessionToken == TestSecrets.sessionToken)
                #expect(await chain.sourceName == "instance metadata")
                #expect(imds.tokenRequests == 1)
                #expect(imds.credentialRequests == 1)
                #expect(imds.rejectedRequests == 0)
                let requests = server.requests
                #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
                #expect(requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
                #expect(requests[1].uri == "/latest/meta-data/iam/security-credentials/")
                #expect(requests[2].uri == "/latest/meta-data/iam/security-credentials/worker-role")
                #expect(requests[1].header("X-aws-ec2-metadata-token") == "imds-token-1")

                // The first fetch is reused (not fetched again); refreshed near expiry with a new token.
                _ = try await chain.credentials()
                #expect(imds.credentialRequests == 1)
                clock.advance(by: 6 * 3600 - 100)
                _ = try await chain.credentials()
                #expect(imds.tokenRequests == 2)
                #expect(imds.credentialRequests == 2)
            }
        }
        #expect(TestSecrets.leaks(in: lines.text).isEmpty)
    }

    @Test func theFakeEnforcesIMDSv2() async throws {
        let imds = FakeInstanceMetadataServer { "{}" }
        try await withHTTPTestServer(handler: imds.handle) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                let get = AWSHTTPRequest(method: "GET", url: server.url("/latest/meta-data/iam/security-credentials/"))
                let unauthorized = try await transport.send(get).status
                #expect(unauthorized == 401)
                let putWithoutTTL = AWSHTTPRequest(method: "PUT", url: server.url("/latest/api/token"))
                let badRequest = try await transport.send(putWithoutTTL).status
                #expect(badRequest == 400)
                let getToken = AWSHTTPRequest(method: "GET", url: server.url("/latest/api/token"))
                let notAllowed = try await transport.send(getToken).status
                #expect(notAllowed == 405)
                let wrongToken = AWSHTTPRequest(
                    method: "GET", url: server.url("/latest/meta-data/iam/security-credentials/"),
                    headers: [AWSHTTPHeader("X-aws-ec2-metadata-token", "forged")])
                let forged = try await transport.send(wrongToken).status
                #expect(forged == 401)
            }
        }
    }

    @Test func instanceWithoutARoleIsASkip() async throws {
        let imds = FakeInstanceMetadataServer(role: nil) { "{}" }
        try await withHTTPTestServer(handler: imds.handle) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                let environment = ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url()]
                let chain = AWSCredentialChain.makeDefault(
                    environment: environment, transport: transport, configuration: testChainConfiguration(), logger: quietLogger()
                )
                await #expect {
                    try await chain.credentials()
                } throws: { error in
                    "\(error)".contains("instance metadata: no IAM role is attached to the instance")
                }
            }
        }
    }

    @Test func disabledMeansNoRequest() async throws {
        let imds = FakeInstanceMetadataServer { "{}" }
        try await withHTTPTestServer(handler: imds.handle) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                let environment = [
                    "HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url(),
                    "AWS_EC2_METADATA_DISABLED": "TRUE",
                ]
                let chain = AWSCredentialChain.makeDefault(environment: environment, transport: transport, logger: quietLogger())
                await #expect {
                    try await chain.credentials()
                } throws: { error in
                    "\(error)".contains("instance metadata: AWS_EC2_METADATA_DISABLED=true")
                }
                #expect(server.requests.isEmpty)
            }
        }
    }

    @Test func endpointSelection() {
        #expect(InstanceMetadataCredentialSource.endpoint(environment: [:]) == "http://169.254.169.254")
        #expect(
            InstanceMetadataCredentialSource.endpoint(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"])
                == "http://[fd00:ec2::254]")
        #expect(
            InstanceMetadataCredentialSource.endpoint(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"])
                == "http://127.0.0.1:1")
    }
}
