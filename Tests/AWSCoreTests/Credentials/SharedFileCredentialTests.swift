import AWSCapture
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AWSCore

/// Static keys, `credential_process` and profile problems from shared files in a temp directory.
@Suite struct SharedFileCredentialTests {
    func chain(_ directory: String, _ extra: [String: String] = [:], clock: ManualClock? = nil) async throws -> AWSCredentialChain
    {
        var environment = emptyEnvironment
        environment["AWS_SHARED_CREDENTIALS_FILE"] = directory + "/credentials"
        environment["AWS_CONFIG_FILE"] = directory + "/config"
        environment.merge(extra) { $1 }
        let now = (clock ?? ManualClock(Date())).now
        return AWSCredentialChain.makeDefault(
            environment: environment, transport: UnusedTransport(), configuration: testChainConfiguration(), now: now,
            logger: quietLogger())
    }

    @Test func staticKeysFromTheCredentialsFile() async throws {
        try await withTemporaryDirectory { directory in
            try write(
                "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = \(TestSecrets.secretKey)\naws_session_token = \(TestSecrets.sessionToken)\n",
                to: directory + "/credentials")
            try write("[default]\nregion = eu-west-1\n", to: directory + "/config")
            let chain = try await chain(directory)
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "AKIDFILE")
            #expect(credentials.secretAccessKey == TestSecrets.secretKey)
            #expect(credentials.sessionToken == TestSecrets.sessionToken)
            #expect(chain.profileRegion == "eu-west-1")
            #expect(await chain.sourceName == "shared files")
        }
    }

    @Test func credentialProcessRunsTheCommand() async throws {
        try await withTemporaryDirectory { directory in
            let script = directory + "/creds.sh"
            try write(
                """
                #!/bin/sh
                echo "$1" > "\(directory)/args"
                cat <<'JSON'
                {"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "\(TestSecrets.secretKey)",
                 "SessionToken": "\(TestSecrets.sessionToken)", "Expiration": "2026-11-27T01:00:00Z"}
                JSON
                """, to: script, executable: true)
            try write("[profile tool]\ncredential_process = \(script) --account prod\n", to: directory + "/config")
            let clock = ManualClock(iso: "2026-11-27T00:00:00Z")
            let chain = try await chain(directory, ["AWS_PROFILE": "tool"], clock: clock)
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "AKIDPROCESS")
            #expect(credentials.sessionToken == TestSecrets.sessionToken)
            #expect(try String(contentsOfFile: directory + "/args", encoding: .utf8) == "--account\n")
            // Cached until the refresh window, then run again.
            try write("x", to: directory + "/args")
            clock.set(isoDate("2026-11-27T00:50:00Z"))
            _ = try await chain.credentials()
            #expect(try String(contentsOfFile: directory + "/args", encoding: .utf8) == "x")
            clock.set(isoDate("2026-11-27T00:56:00Z"))
            _ = try await chain.credentials()
            #expect(try String(contentsOfFile: directory + "/args", encoding: .utf8) == "--account\n")
        }
    }

    @Test func credentialProcessFailuresNameTheProgramOnly() async throws {
        try await withTemporaryDirectory { directory in
            let failing = directory + "/fail.sh"
            try write(
                "#!/bin/sh\necho '{\"SecretAccessKey\": \"\(TestSecrets.secretKey)\"}'\nexit 3\n", to: failing, executable: true)
            let badVersion = directory + "/v2.sh"
            try write(
                "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"\(TestSecrets.secretKey)\"}'\n",
                to: badVersion,
                executable: true)
            let notJSON = directory + "/text.sh"
            try write("#!/bin/sh\necho 'SecretAccessKey=\(TestSecrets.secretKey)'\n", to: notJSON, executable: true)
            let cases: [(String, String)] = [
                ("\(failing) --password hunter2doNotLeak", "credential_process \(failing) exited with status 3"),
                (badVersion, "whose Version is not 1"),
                (notJSON, "printed something that is not a JSON object"),
                ("exec sleep 60", "credential_process exec did not finish within"),
                ("head -c 100000 /dev/zero", "printed more than 4096 bytes"),
            ]
            for (command, expected) in cases {
                let source = ProcessCredentialSource(
                    command: command, environment: [:], timeout: .milliseconds(500), maxOutputBytes: 4096)
                let started = ContinuousClock.now
                await #expect {
                    try await source.fetchCredentials()
                } throws: { error in
                    let text = "\(error)"
                    return text.contains(expected) && TestSecrets.leaks(in: text).isEmpty && !text.contains("hunter2")
                }
                // Bounded by the 500 ms timeout, not by the command (a minute of sleep); the margin
                // is wide because CI runs the unit layer in parallel on 2 cores.
                #expect(ContinuousClock.now - started < .seconds(20))
            }
        }
    }

    @Test func missingProfileIsSkippedWithTheFilesNamed() async throws {
        try await withTemporaryDirectory { directory in
            try write("[default]\naws_access_key_id = A\naws_secret_access_key = B\n", to: directory + "/credentials")
            let chain = try await chain(directory, ["AWS_PROFILE": "nope"])
            await #expect {
                try await chain.credentials()
            } throws: { error in
                "\(error)".contains("shared files: profile nope not found in \(directory)/credentials or \(directory)/config")
            }
        }
    }

    @Test func profileWithOnlyARegionFallsThrough() async throws {
        try await withTemporaryDirectory { directory in
            try write("[default]\nregion = eu-west-1\n", to: directory + "/config")
            let chain = try await chain(directory)
            #expect(chain.profileRegion == "eu-west-1")
            await #expect {
                try await chain.credentials()
            } throws: { error in
                "\(error)".contains("shared files: profile default has no credentials; container:")
            }
        }
    }

    @Test func brokenProfilesStopTheChainWithAClearError() async throws {
        let cases: [(String, String)] = [
            (
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
                "source_profile loop: a -> b -> a"
            ),
            (
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n",
                "profile a sets role_arn but neither source_profile nor credential_source"
            ),
            (
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = ghost\n",
                "source_profile ghost of profile a not found"
            ),
            ("[profile a]\naws_access_key_id = AKID\n", "profile a has aws_access_key_id but no aws_secret_access_key"),
            (
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile b]\naws_access_key_id = A\naws_secret_access_key = B\n",
                "mfa_serial"
            ),
            (
                "[profile a]\nsso_session = corp\nsso_account_id = 1\n",
                "sso_session corp of profile a has no [sso-session corp] section"
            ),
            (
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Somewhere\n",
                "must be Environment, Ec2InstanceMetadata or EcsContainer"
            ),
        ]
        for (config, expected) in cases {
            try await withTemporaryDirectory { directory in
                try write(config, to: directory + "/config")
                let chain = try await chain(directory, ["AWS_PROFILE": "a"])
                await #expect {
                    try await chain.credentials()
                } throws: { error in
                    let text = "\(error)"
                    return text.contains("shared files credentials failed: ") && text.contains(expected)
                }
            }
        }
    }

    @Test func selfReferencingSourceProfileUsesItsStaticKeys() async throws {
        try await withTemporaryDirectory { directory in
            try write(
                "[self]\naws_access_key_id = AKIDSELF\naws_secret_access_key = S\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = self\n",
                to: directory + "/credentials")
            let recorder = RecordingTransport()
            let environment = emptyEnvironment.merging([
                "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials", "AWS_CONFIG_FILE": directory + "/config",
                "AWS_PROFILE": "self",
                "AWS_REGION": "eu-west-1",
            ]) { $1 }
            let chain = AWSCredentialChain.makeDefault(
                environment: environment, transport: recorder, configuration: testChainConfiguration(), logger: quietLogger())
            await #expect(throws: AWSError.self) { try await chain.credentials() }
            // It tried AssumeRole signed with its own static keys.
            #expect(
                recorder.requests.first?.headers.first { $0.name == "Authorization" }?.value.contains("Credential=AKIDSELF/")
                    == true)
        }
    }
}

/// A transport the test expects never to be used.
struct UnusedTransport: Transport {
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        throw TransportError(code: .connectFailed, message: "connection refused (no network in this test)")
    }
}

/// Records requests and answers 403 to each.
final class RecordingTransport: Transport, Sendable {
    private let recorded = Mutex<[AWSHTTPRequest]>([])

    var requests: [AWSHTTPRequest] { recorded.withLock { $0 } }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        recorded.withLock { $0.append(request) }
        return AWSHTTPResponse(
            status: 403,
            body: Array("<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>".utf8))
    }
}
