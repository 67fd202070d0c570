import AWSCore
import Foundation
import TestSupport
import Testing

/// The order of the chain and what it says when nothing is found.
@Suite struct CredentialChainTests {
    /// Integration: libcurl to a closed 127.0.0.1 port, with a wall-clock bound on the fall-through.
    @Test(.tags(.integration)) func nothingFoundListsEverySourceAndWhy() async throws {
        let port = try FreePort.next()
        let (logger, lines) = capturingLogger()
        try await withCurlTransport(logger: quietLogger()) { transport in
            let environment = [
                "HOME": "/nonexistent-home-for-tests", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)",
                "AWS_SECRET_ACCESS_KEY_SHOULD_NOT_MATTER": TestSecrets.secretKey,
            ]
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: transport, configuration: testChainConfiguration(), logger: logger)
            let started = ContinuousClock.now
            await #expect {
                try await chain.credentials()
            } throws: { error in
                guard let error = error as? AWSError, error.kind == .credentials,
                    error.code == AWSCredentialChain.noCredentialsFoundCode
                else { return false }
                let text = error.description
                return text.contains("no AWS credentials found: ")
                    && text.contains("environment: AWS_ACCESS_KEY_ID not set; ")
                    && text.contains("web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set; ")
                    && text.contains("shared files: profile default not found in ~/.aws/credentials or ~/.aws/config; ")
                    && text.contains("container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set; ")
                    && text.contains("instance metadata: token request failed: connection refused")
            }
            // A machine without IMDS falls through fast.
            #expect(ContinuousClock.now - started < .seconds(3))
        }
        #expect(TestSecrets.leaks(in: lines.text).isEmpty)
    }

    @Test func environmentWinsOverFilesAndEverythingElse() async throws {
        try await withTemporaryDirectory { directory in
            try write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = S\n", to: directory + "/credentials")
            let environment = [
                "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": TestSecrets.secretKey,
                "AWS_SESSION_TOKEN": TestSecrets.sessionToken,
                "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
                "AWS_WEB_IDENTITY_TOKEN_FILE": directory + "/missing-token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
            ]
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: UnusedTransport(), logger: quietLogger())
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "AKIDENV")
            #expect(credentials.sessionToken == TestSecrets.sessionToken)
            #expect(await chain.sourceName == "environment")
        }
    }

    @Test func filesWinOverTheContainer() async throws {
        try await withTemporaryDirectory { directory in
            try write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = S\n", to: directory + "/credentials")
            let environment = emptyEnvironment.merging([
                "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
            ]) { $1 }
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: UnusedTransport(), logger: quietLogger())
            #expect(try await chain.credentials().accessKeyID == "AKIDFILE")
        }
    }

    @Test func webIdentityWinsOverFiles() async throws {
        try await withTemporaryDirectory { directory in
            try write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = S\n", to: directory + "/credentials")
            let environment = emptyEnvironment.merging([
                "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
                "AWS_WEB_IDENTITY_TOKEN_FILE": directory + "/missing-token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
            ]) { $1 }
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: UnusedTransport(), logger: quietLogger())
            // Web identity is configured, so it is used (and fails here) rather than falling through to the file.
            await #expect {
                try await chain.credentials()
            } throws: { error in
                // A configured source that fails is not "nothing found": standalone must not fall back to the demo.
                (error as? AWSError)?.code != AWSCredentialChain.noCredentialsFoundCode
                    && "\(error)".contains("web identity credentials failed: the web identity token file")
            }
        }
    }

    @Test func partialEnvironmentCredentialsAreAnError() async throws {
        let environment = emptyEnvironment.merging(["AWS_ACCESS_KEY_ID": "AKIDENV"]) { $1 }
        let chain = AWSCredentialChain.makeDefault(environment: environment, transport: UnusedTransport(), logger: quietLogger())
        await #expect {
            try await chain.credentials()
        } throws: { error in
            "\(error)".contains("environment credentials failed: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
    }

    @Test func aFailedResolutionIsTriedAgain() async throws {
        let environment = emptyEnvironment.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds"]) { $1 }
        let chain = AWSCredentialChain.makeDefault(
            environment: environment, transport: UnusedTransport(), configuration: testChainConfiguration(), logger: quietLogger()
        )
        await #expect(throws: AWSError.self) { try await chain.credentials() }
        await #expect(throws: AWSError.self) { try await chain.credentials() }
        #expect(await chain.sourceName == nil)
    }
}
