import AWSCore
import Foundation
import Synchronization
import TestSupport
import Testing

/// Web identity and assume-role against STS replayed on 127.0.0.1 (`AWS_ENDPOINT_URL_STS`).
@Suite struct STSCredentialTests {
    static func stsHandler(failAssumeRole: Bool = false) -> HTTPTestServer.Handler {
        { request in
            let fields = formFields(request.body)
            do {
                switch fields["Action"] {
                case "AssumeRoleWithWebIdentity":
                    return .respond(
                        headers: [("Content-Type", "text/xml")],
                        body: try fixtures.bytes("credentials/sts-AssumeRoleWithWebIdentity.xml"))
                case "AssumeRole" where failAssumeRole:
                    return .respond(
                        status: 403, headers: [("Content-Type", "text/xml")],
                        body: try fixtures.bytes("errors/sts-AccessDenied.xml"))
                case "AssumeRole":
                    return .respond(
                        headers: [("Content-Type", "text/xml")], body: try fixtures.bytes("credentials/sts-AssumeRole.xml"))
                default:
                    return .respond(status: 400, body: "")
                }
            } catch {
                return .respond(status: 500, body: "")
            }
        }
    }

    @Test func webIdentityIsUnsignedAndRereadsTheTokenFile() async throws {
        try await withTemporaryDirectory { directory in
            let tokenFile = directory + "/token"
            try write(TestSecrets.webIdentityToken + "-1\n", to: tokenFile)
            let clock = ManualClock(iso: "2014-10-24T22:00:00Z")
            let (logger, lines) = capturingLogger()
            try await withHTTPTestServer(handler: Self.stsHandler()) { server in
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let environment = emptyEnvironment.merging([
                        "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
                        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/FederatedWebIdentityRole",
                        "AWS_ROLE_SESSION_NAME": "app1",
                        "AWS_ENDPOINT_URL_STS": server.url(),
                        "AWS_REGION": "eu-west-1",
                    ]) { $1 }
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                        logger: logger)
                    let credentials = try await chain.credentials()
                    #expect(credentials.accessKeyID == "ASgeIAIOSFODNN7EXAMPLE")
                    #expect(credentials.secretAccessKey == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
                    #expect(credentials.sessionToken == "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE")
                    #expect(await chain.sourceName == "web identity")

                    let request = try #require(server.requests.first)
                    #expect(request.header("Authorization") == nil)
                    #expect(request.header("X-Amz-Security-Token") == nil)
                    let fields = formFields(request.body)
                    #expect(fields["Action"] == "AssumeRoleWithWebIdentity")
                    #expect(fields["Version"] == "2011-06-15")
                    #expect(fields["RoleArn"] == "arn:aws:iam::123456789012:role/FederatedWebIdentityRole")
                    #expect(fields["RoleSessionName"] == "app1")
                    #expect(fields["WebIdentityToken"] == TestSecrets.webIdentityToken + "-1")

                    // Cached until 5 minutes before 23:00:23.
                    clock.set(isoDate("2014-10-24T22:55:00Z"))
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 1)
                    // In the window: refreshed with the rotated token.
                    try write(TestSecrets.webIdentityToken + "-2", to: tokenFile)
                    clock.set(isoDate("2014-10-24T22:56:00Z"))
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 2)
                    #expect(formFields(server.requests[1].body)["WebIdentityToken"] == TestSecrets.webIdentityToken + "-2")
                }
            }
            #expect(TestSecrets.leaks(in: lines.text).isEmpty)
        }
    }

    @Test func webIdentityWithoutRoleIsAnErrorNotASkip() async throws {
        let environment = emptyEnvironment.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token"]) { $1 }
        try await withCurlTransport(logger: quietLogger()) { transport in
            let chain = AWSCredentialChain.makeDefault(environment: environment, transport: transport, logger: quietLogger())
            await #expect {
                try await chain.credentials()
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .credentials
                    && error?.description.contains(
                        "web identity credentials failed: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not") == true
                    && error?.description.contains("skipped before: environment: AWS_ACCESS_KEY_ID not set") == true
            }
        }
    }

    @Test func missingTokenFileIsReported() async throws {
        try await withHTTPTestServer(handler: Self.stsHandler()) { server in
            try await withCurlTransport(logger: quietLogger()) { transport in
                let source = WebIdentityCredentialSource(
                    tokenFile: "/nonexistent/token", roleARN: "arn:aws:iam::1:role/r", region: "eu-west-1",
                    environment: ["AWS_ENDPOINT_URL_STS": server.url()], transport: transport, logger: quietLogger())
                await #expect {
                    try await source.fetchCredentials()
                } throws: { error in
                    (error as? AWSError)?.description.contains("the web identity token file /nonexistent/token does not exist")
                        == true
                }
                #expect(server.requests.isEmpty)
            }
        }
    }

    static let baseCredentials = """
        [base]
        aws_access_key_id = AKIDBASE
        aws_secret_access_key = \(TestSecrets.secretKey)
        """

    @Test func roleWithSourceProfileIsSignedWithTheSourceCredentials() async throws {
        try await withTemporaryDirectory { directory in
            try write(Self.baseCredentials, to: directory + "/credentials")
            try write(
                """
                [profile dev]
                role_arn = arn:aws:iam::123456789012:role/demo
                source_profile = base
                role_session_name = John
                external_id = ext-1
                duration_seconds = 1800
                region = eu-central-1
                """, to: directory + "/config")
            let clock = ManualClock(iso: "2019-07-15T22:00:00Z")
            try await withHTTPTestServer(handler: Self.stsHandler()) { server in
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let environment = emptyEnvironment.merging([
                        "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials", "AWS_CONFIG_FILE": directory + "/config",
                        "AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_STS": server.url(),
                    ]) { $1 }
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                        logger: quietLogger())
                    #expect(chain.profileName == "dev")
                    #expect(chain.profileRegion == "eu-central-1")
                    let credentials = try await chain.credentials()
                    #expect(credentials.accessKeyID == "ASIAIOSFODNN7EXAMPLE")
                    #expect(credentials.sessionToken?.hasPrefix("AQoDYXdzEPT") == true)
                    #expect(await chain.sourceName == "shared files")

                    let request = try #require(server.requests.first)
                    let authorization = try #require(request.header("Authorization"))
                    #expect(authorization.contains("Credential=AKIDBASE/20190715/eu-central-1/sts/aws4_request"))
                    let fields = formFields(request.body)
                    #expect(fields["Action"] == "AssumeRole")
                    #expect(fields["RoleArn"] == "arn:aws:iam::123456789012:role/demo")
                    #expect(fields["RoleSessionName"] == "John")
                    #expect(fields["ExternalId"] == "ext-1")
                    #expect(fields["DurationSeconds"] == "1800")

                    // Expiration 23:28:33.359: refreshed from 23:23:33.359 on.
                    clock.set(isoDate("2019-07-15T23:23:33Z"))
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 1)
                    clock.set(isoDate("2019-07-15T23:24:00Z"))
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 2)
                }
            }
        }
    }

    @Test func chainedSourceProfilesAssumeInOrder() async throws {
        try await withTemporaryDirectory { directory in
            try write(Self.baseCredentials, to: directory + "/credentials")
            try write(
                """
                [profile dev]
                role_arn = arn:aws:iam::123456789012:role/dev
                source_profile = middle
                [profile middle]
                role_arn = arn:aws:iam::123456789012:role/middle
                source_profile = base
                """, to: directory + "/config")
            let clock = ManualClock(iso: "2019-07-15T22:00:00Z")
            try await withHTTPTestServer(handler: Self.stsHandler()) { server in
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let environment = emptyEnvironment.merging([
                        "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials", "AWS_CONFIG_FILE": directory + "/config",
                        "AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_STS": server.url(), "AWS_REGION": "eu-west-1",
                    ]) { $1 }
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment, transport: transport, configuration: testChainConfiguration(), now: clock.now,
                        logger: quietLogger())
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 2)
                    let first = server.requests[0]
                    let second = server.requests[1]
                    #expect(formFields(first.body)["RoleArn"] == "arn:aws:iam::123456789012:role/middle")
                    #expect(first.header("Authorization")?.contains("Credential=AKIDBASE/") == true)
                    #expect(formFields(second.body)["RoleArn"] == "arn:aws:iam::123456789012:role/dev")
                    #expect(second.header("Authorization")?.contains("Credential=ASIAIOSFODNN7EXAMPLE/") == true)
                    #expect(second.header("X-Amz-Security-Token")?.hasPrefix("AQoDYXdzEPT") == true)
                }
            }
        }
    }

    @Test func assumeRoleFailureNamesTheRoleAndSTSErrorWithoutSecrets() async throws {
        try await withTemporaryDirectory { directory in
            try write(Self.baseCredentials, to: directory + "/credentials")
            try write(
                "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/demo\nsource_profile = base\n",
                to: directory + "/config")
            let (logger, lines) = capturingLogger()
            try await withHTTPTestServer(handler: Self.stsHandler(failAssumeRole: true)) { server in
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let environment = emptyEnvironment.merging([
                        "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials", "AWS_CONFIG_FILE": directory + "/config",
                        "AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_STS": server.url(),
                    ]) { $1 }
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment, transport: transport, configuration: testChainConfiguration(), logger: logger)
                    await #expect {
                        try await chain.credentials()
                    } throws: { error in
                        let text = "\(error)"
                        return text.contains(
                            "shared files credentials failed: assuming arn:aws:iam::123456789012:role/demo failed")
                            && text.contains("sts AssumeRole AccessDenied HTTP 403") && TestSecrets.leaks(in: text).isEmpty
                    }
                }
            }
            #expect(TestSecrets.leaks(in: lines.text).isEmpty)
        }
    }
}
