import AWSCore
import Foundation
import TestSupport
import Testing

/// IAM Identity Center profiles (`sso_session` and legacy `sso_start_url`): the token `aws sso login`
/// cached under `~/.aws/sso/cache/`, exchanged at a portal replayed on 127.0.0.1 (`AWS_ENDPOINT_URL_SSO`)
/// through the real libcurl transport.
@Suite struct SSOCredentialTests {
    static let accessToken = "SSOACCESSTOKENdoNotLeak"
    static let sessionConfig = """
        [profile dev]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = ReadOnly+Ops
        region = eu-west-1
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-central-1
        sso_registration_scopes = sso:account:access
        """
    static let legacyConfig = """
        [profile old]
        sso_start_url = https://legacy.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 444455556666
        sso_role_name = Viewer
        """

    /// The portal's answer: credentials expiring at `expiration`.
    static func portal(expiration: Date, status: Int = 200) -> HTTPTestServer.Handler {
        { _ in
            if status != 200 {
                return .respond(
                    status: status,
                    headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", "UnauthorizedException")],
                    body: Array(#"{"message":"Session token not found or invalid"}"#.utf8))
            }
            let milliseconds = Int64(expiration.timeIntervalSince1970 * 1000)
            let body = """
                {"roleCredentials":{"accessKeyId":"ASIASSOEXAMPLE","secretAccessKey":"\(TestSecrets.secretKey)",\
                "sessionToken":"\(TestSecrets.sessionToken)","expiration":\(milliseconds)}}
                """
            return .respond(headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        }
    }

    /// Writes `aws sso login`'s cache file for `key` (the session name, or the start URL).
    static func cacheToken(home: String, key: String, expiresAt: String) throws {
        let directory = home + "/.aws/sso/cache"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = try #require(knownCacheNames[key], "no known cache file name for \(key)")
        try write(
            #"{"startUrl":"https://corp.awsapps.com/start","region":"eu-central-1","accessToken":"\#(accessToken)","expiresAt":"\#(expiresAt)"}"#,
            to: directory + "/" + name)
    }

    /// The AWS CLI's file names: `sha1(key)` in hex (`printf %s corp | sha1sum`), fixed here so the
    /// test checks the naming rule rather than repeating it.
    static let knownCacheNames = [
        "corp": "ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
        "https://legacy.awsapps.com/start": "79e435d7a515078e81c9dffc35f38d5687ebd3a7.json",
    ]

    func environment(home: String, profile: String, portal: HTTPTestServer) -> [String: String] {
        emptyEnvironment.merging([
            "HOME": home, "AWS_CONFIG_FILE": home + "/config", "AWS_SHARED_CREDENTIALS_FILE": home + "/credentials",
            "AWS_PROFILE": profile, "AWS_ENDPOINT_URL_SSO": portal.url(),
        ]) { $1 }
    }

    @Test func anSSOSessionProfileExchangesTheCachedToken() async throws {
        try await withTemporaryDirectory { home in
            try write(Self.sessionConfig, to: home + "/config")
            try Self.cacheToken(home: home, key: "corp", expiresAt: "2026-12-06T12:00:00Z")
            let clock = ManualClock(iso: "2026-12-06T08:00:00Z")
            let (logger, lines) = capturingLogger()
            try await withHTTPTestServer(handler: Self.portal(expiration: isoDate("2026-12-06T09:00:00Z"))) { server in
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment(home: home, profile: "dev", portal: server), transport: transport,
                        configuration: testChainConfiguration(), now: clock.now, logger: logger)
                    let credentials = try await chain.credentials()
                    #expect(credentials.accessKeyID == "ASIASSOEXAMPLE")
                    #expect(credentials.sessionToken == TestSecrets.sessionToken)
                    #expect(await chain.sourceName == "shared files")

                    let request = try #require(server.requests.first)
                    #expect(request.method == "GET")
                    #expect(request.uri == "/federation/credentials?account_id=111122223333&role_name=ReadOnly%2BOps")
                    #expect(request.header("x-amz-sso_bearer_token") == Self.accessToken)
                    #expect(request.header("Authorization") == nil, "the portal call is never signed")

                    // Cached until 5 minutes before 09:00, then fetched again with the token read again.
                    clock.set(isoDate("2026-12-06T08:50:00Z"))
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 1)
                    clock.set(isoDate("2026-12-06T08:56:00Z"))
                    _ = try await chain.credentials()
                    #expect(server.requests.count == 2)
                }
            }
            #expect(TestSecrets.leaks(in: lines.text).isEmpty)
        }
    }

    @Test func aLegacyProfileKeysTheCacheByItsStartURL() async throws {
        try await withTemporaryDirectory { home in
            try write(Self.legacyConfig, to: home + "/config")
            // The CLI before 2.9 wrote "UTC" for the zone.
            try Self.cacheToken(home: home, key: "https://legacy.awsapps.com/start", expiresAt: "2026-12-06T12:00:00UTC")
            let clock = ManualClock(iso: "2026-12-06T08:00:00Z")
            try await withHTTPTestServer(handler: Self.portal(expiration: isoDate("2026-12-06T09:00:00Z"))) { server in
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment(home: home, profile: "old", portal: server), transport: transport,
                        configuration: testChainConfiguration(), now: clock.now, logger: quietLogger())
                    let credentials = try await chain.credentials()
                    #expect(credentials.accessKeyID == "ASIASSOEXAMPLE")
                    #expect(server.requests.first?.uri == "/federation/credentials?account_id=444455556666&role_name=Viewer")
                }
            }
        }
    }

    /// No sign-in, an expired one, and a token the portal refuses: each error says which
    /// `aws sso login` to run, and none calls the portal needlessly.
    @Test func aMissingExpiredOrRefusedTokenNamesTheLoginToRun() async throws {
        let cases: [(cached: String?, status: Int, expected: String, portalCalls: Int)] = [
            (nil, 200, "no IAM Identity Center sign-in for profile dev", 0),
            ("2026-12-06T07:00:00Z", 200, "expired at 2026-12-06T07:00:00Z", 0),
            ("2026-12-06T12:00:00Z", 401, "IAM Identity Center refused the token of profile dev", 1),
        ]
        for example in cases {
            try await withTemporaryDirectory { home in
                try write(Self.sessionConfig, to: home + "/config")
                if let cached = example.cached { try Self.cacheToken(home: home, key: "corp", expiresAt: cached) }
                let (logger, lines) = capturingLogger()
                let handler = Self.portal(expiration: isoDate("2026-12-06T09:00:00Z"), status: example.status)
                try await withHTTPTestServer(handler: handler) { server in
                    try await withCurlTransport(logger: quietLogger()) { transport in
                        let chain = AWSCredentialChain.makeDefault(
                            environment: environment(home: home, profile: "dev", portal: server), transport: transport,
                            configuration: testChainConfiguration(), now: ManualClock(iso: "2026-12-06T08:00:00Z").now,
                            logger: logger)
                        await #expect {
                            try await chain.credentials()
                        } throws: { error in
                            let text = "\(error)"
                            return text.contains(example.expected) && text.contains("aws sso login --sso-session corp")
                        }
                        #expect(server.requests.count == example.portalCalls, "\(example.expected)")
                    }
                }
                #expect(TestSecrets.leaks(in: lines.text).isEmpty)
                #expect(!lines.text.contains(Self.accessToken))
            }
        }
    }

    @Test func brokenSSOProfilesNameTheKey() async throws {
        let cases: [(String, String)] = [
            (
                "[profile dev]\nsso_session = ghost\nsso_account_id = 111122223333\nsso_role_name = R\n",
                "no [sso-session ghost] section"
            ),
            (
                "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = R\n[sso-session corp]\nsso_region = eu-west-1\n",
                "[sso-session corp] has no sso_start_url"
            ),
            (
                "[profile dev]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_role_name = R\n",
                "profile dev has no sso_account_id"
            ),
            (
                "[profile dev]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 12\nsso_role_name = R\n",
                "not a 12-digit account id"
            ),
            (
                "[profile dev]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = a/b\n",
                "sso_role_name of profile dev is not an IAM role name"
            ),
            (
                "[profile dev]\nsso_start_url = http://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = R\n",
                "is not an https URL"
            ),
        ]
        for (config, expected) in cases {
            try await withTemporaryDirectory { home in
                try write(config, to: home + "/config")
                try await withCurlTransport(logger: quietLogger()) { transport in
                    let environment = emptyEnvironment.merging([
                        "HOME": home, "AWS_CONFIG_FILE": home + "/config", "AWS_PROFILE": "dev",
                    ]) {
                        $1
                    }
                    let chain = AWSCredentialChain.makeDefault(
                        environment: environment, transport: transport, configuration: testChainConfiguration(),
                        logger: quietLogger())
                    await #expect {
                        try await chain.credentials()
                    } throws: { error in
                        "\(error)".contains("shared files credentials failed: ") && "\(error)".contains(expected)
                    }
                }
            }
        }
    }
}
