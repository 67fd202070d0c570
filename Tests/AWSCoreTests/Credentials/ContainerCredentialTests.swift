import AWSCore
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// The ECS / EKS Pod Identity endpoint against a fake on 127.0.0.1.
/// Integration: libcurl to an HTTP server on 127.0.0.1 under the chain's 2 s container timeout, and a
/// 200 ms answer that sixteen concurrent callers must share.
@Suite(.tags(.integration)) struct ContainerCredentialTests {
    static let start = "2026-11-27T00:00:00Z"

    func withContainer<T: Sendable>(
        expectedToken: String?, delay: Duration = .zero, clock: ManualClock,
        _ body: (FakeContainerCredentialsServer, HTTPTestServer, CurlTransport) async throws -> T
    ) async throws -> T {
        let fake = FakeContainerCredentialsServer(expectedToken: expectedToken) {
            metadataCredentialsJSON(accessKey: "ASIACONTAINER", expiration: clock.now().addingTimeInterval(3600))
        }
        return try await withHTTPTestServer(handler: { request in
            let response = await fake.handle(request)
            return delay > .zero ? response.delayed(by: delay) : response
        }) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                try await body(fake, server, transport)
            }
        }
    }

    @Test func tokenFromFileWinsOverTheEnvironment() async throws {
        try await withTemporaryDirectory { directory in
            try write(TestSecrets.containerToken + "\n", to: directory + "/token")
            let clock = ManualClock(iso: Self.start)
            try await withContainer(expectedToken: TestSecrets.containerToken, clock: clock) { fake, server, transport in
                let environment = emptyEnvironment.merging([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/v2/credentials/task"),
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": directory + "/token",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token-loses",
                ]) { $1 }
                let chain = AWSCredentialChain.makeDefault(
                    environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                    logger: quietLogger())
                let credentials = try await chain.credentials()
                #expect(credentials.accessKeyID == "ASIACONTAINER")
                #expect(credentials.sessionToken == TestSecrets.sessionToken)
                #expect(await chain.sourceName == "container")
                #expect(fake.servedRequests == 1)
                #expect(fake.refusedRequests == 0)
            }
        }
    }

    @Test func tokenFromTheEnvironment() async throws {
        let clock = ManualClock(iso: Self.start)
        try await withContainer(expectedToken: "env-token", clock: clock) { fake, server, transport in
            let source = try #require(
                try ContainerCredentialSource.fromEnvironment(
                    [
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/v2/credentials/task"),
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token",
                    ],
                    transport: transport))
            #expect(try await source.fetchCredentials().credentials.accessKeyID == "ASIACONTAINER")
            #expect(server.requests.first?.header("Authorization") == "env-token")
        }
    }

    @Test func wrongTokenFailsWithoutShowingIt() async throws {
        let clock = ManualClock(iso: Self.start)
        let (logger, lines) = capturingLogger()
        try await withContainer(expectedToken: "the-right-one", clock: clock) { fake, server, transport in
            let environment = emptyEnvironment.merging([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/v2/credentials/task"),
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": TestSecrets.containerToken,
            ]) { $1 }
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                logger: logger)
            await #expect {
                try await chain.credentials()
            } throws: { error in
                let text = "\(error)"
                return text.contains("container credentials failed: the container credentials endpoint")
                    && text.contains("HTTP 401")
                    && TestSecrets.leaks(in: text).isEmpty
            }
            // 401 is not retried.
            #expect(fake.refusedRequests == 1)
        }
        #expect(TestSecrets.leaks(in: lines.text).isEmpty)
    }

    @Test func concurrentCallersCauseExactlyOneRefreshRequest() async throws {
        let clock = ManualClock(iso: Self.start)
        try await withContainer(expectedToken: nil, delay: .milliseconds(200), clock: clock) { fake, server, transport in
            let environment = emptyEnvironment.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/v2/credentials/task")])
            { $1 }
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                logger: quietLogger())
            // Concurrent first callers share the chain's resolution.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 { group.addTask { _ = try await chain.credentials() } }
                try await group.waitForAll()
            }
            #expect(server.requests.count == 1)
            // Into the refresh window: 16 concurrent callers, one request.
            clock.advance(by: 3600 - 60)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 { group.addTask { _ = try await chain.credentials() } }
                try await group.waitForAll()
            }
            #expect(server.requests.count == 2)
            #expect(fake.servedRequests == 2)
        }
    }

    @Test func expiredTokenFromAWSForcesOneRefreshAndOneRetry() async throws {
        let clock = ManualClock(iso: Self.start)
        let expiredXML = """
            <ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message>\
            </Error><RequestId>r-expired</RequestId></ErrorResponse>
            """
        let calls = Mutex(0)
        try await withContainer(expectedToken: nil, clock: clock) { fake, credentialsServer, transport in
            try await withHTTPTestServer(handler: { _ in
                calls.withLock {
                    $0 += 1; return $0
                } == 1
                    ? .respond(status: 400, body: expiredXML)
                    : .respond(body: "<ListMetricsResponse><ListMetricsResult/></ListMetricsResponse>")
            }) { api in
                let environment = emptyEnvironment.merging([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": credentialsServer.url("/v2/credentials/task")
                ]) { $1 }
                let chain = AWSCredentialChain.makeDefault(
                    environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                    logger: quietLogger())
                let client = AWSClient(
                    region: "eu-west-1", transport: transport, credentialProvider: chain,
                    endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": api.url()]), logger: quietLogger())
                _ = try await client.call(.cloudWatch, operation: "ListMetrics", input: .null)
                #expect(api.requests.count == 2)
                #expect(fake.servedRequests == 2)
            }
        }
    }

    @Test func failedRefreshAgainstTheEndpointKeepsTheOldCredentialsUntilExpiry() async throws {
        let clock = ManualClock(iso: Self.start)
        let isFailing = Mutex(false)
        let (logger, lines) = capturingLogger()
        let body = metadataCredentialsJSON(accessKey: "ASIAFIRST", expiration: isoDate("2026-11-27T01:00:00Z"))
        try await withHTTPTestServer(handler: { _ in
            isFailing.withLock { $0 } ? .respond(status: 503, body: "") : .respond(body: body)
        }) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                let environment = emptyEnvironment.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/creds")]) { $1 }
                let chain = AWSCredentialChain.makeDefault(
                    environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                    logger: logger)
                #expect(try await chain.credentials().accessKeyID == "ASIAFIRST")
                isFailing.withLock { $0 = true }
                // In the window, the endpoint fails (2 attempts): the old credentials are still handed out.
                clock.set(isoDate("2026-11-27T00:57:00Z"))
                #expect(try await chain.credentials().accessKeyID == "ASIAFIRST")
                #expect(server.requests.count == 3)
                // Backoff: no request within 5 s of the failure.
                clock.advance(by: 2)
                _ = try await chain.credentials()
                #expect(server.requests.count == 3)
                // Expired: the failure surfaces.
                clock.set(isoDate("2026-11-27T01:00:01Z"))
                await #expect(throws: AWSError.self) { try await chain.credentials() }
            }
        }
        #expect(lines.text.contains("keeping the current credentials"))
        #expect(TestSecrets.leaks(in: lines.text).isEmpty)
    }

    @Test func relativeURIGoesToTheECSAddress() throws {
        let source = try #require(
            try ContainerCredentialSource.fromEnvironment(
                ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], transport: UnusedTransport()))
        #expect(source.url == "http://169.254.170.2/v2/credentials/abc")
        // The relative URI wins over the full one.
        let both = try #require(
            try ContainerCredentialSource.fromEnvironment(
                ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/x", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://example.com/y"],
                transport: UnusedTransport()))
        #expect(both.url == "http://169.254.170.2/x")
    }

    @Test(arguments: [
        ("https://credentials.example.com/role", true),
        ("http://169.254.170.2/v2/credentials", true),
        ("http://169.254.170.23/v1/credentials", true),
        ("http://[fd00:ec2::23]/v1/credentials", true),
        ("http://127.0.0.1:8080/creds", true),
        ("http://127.1.2.3/creds", true),
        ("http://localhost:9000/creds", true),
        ("http://[::1]:9000/creds", true),
        ("http://169.254.169.254/latest", false),
        ("http://example.com/creds", false),
        ("http://10.0.0.1/creds", false),
        ("http://user@127.0.0.1/creds", false),
        ("ftp://127.0.0.1/creds", false),
        ("not a url", false),
    ])
    func fullURIHostRules(url: String, isAllowed: Bool) {
        let allowed: Bool
        do {
            try ContainerCredentialSource.validate(fullURI: url)
            allowed = true
        } catch {
            allowed = false
        }
        #expect(allowed == isAllowed)
    }
}
