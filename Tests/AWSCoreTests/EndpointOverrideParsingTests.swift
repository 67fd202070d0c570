import Testing

@testable import AWSCore

/// `AWS_ENDPOINT_URL` is parsed on bytes: no combining mark hides a `/` or an `@`, user
/// information is refused wherever it hides, no message echoes a password, and an `@` in the
/// path is allowed.
@Suite struct EndpointOverrideParsingTests {
    static func parse(_ value: String) throws(AWSError) -> AWSEndpoint {
        try AWSEndpointResolver.parseOverride(value, key: "AWS_ENDPOINT_URL")
    }

    static func refusal(_ value: String) -> AWSError? {
        do {
            _ = try parse(value)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        "http://user:hunter2secret@\u{301}localhost:4566/",
        "http://user:hunter2secret@localhost:4566",
        "http://user:hunter2/secret@localhost:4566",
        "http://user:hunter2secret@",
        "https://hunter2secret@example.com/path",
        "http://localhost:4566\u{301}@hunter2secret/",
        "http://user:hunter2secret@[::1]:4566/",
    ])
    func userInformationIsRefusedWithoutEchoingIt(value: String) throws {
        let error = try #require(Self.refusal(value))
        #expect(error.kind == .configuration)
        #expect(error.configurationKey == "AWS_ENDPOINT_URL")
        #expect(error.description.contains("user information"))
        for secret in ["hunter2", "secret"] {
            #expect(!error.description.contains(secret), "\(error.description)")
        }
    }

    /// A `/` followed by a combining mark is still a `/`: the host ends there, and the mark is a
    /// character the path cannot hold (refused, not echoed).
    @Test func aCombiningMarkDoesNotHideASlash() throws {
        let error = try #require(Self.refusal("http://localhost:4566/\u{301}base"))
        #expect(error.description.contains("path"))
        #expect(!error.description.contains("localhost"))
        #expect(try Self.parse("http://localhost:4566/%CC%81base").pathPrefix == "/%CC%81base")
    }

    @Test func anAtSignInThePathIsAllowed() throws {
        let endpoint = try Self.parse("http://127.0.0.1:4566/tenants/team@example.com/aws/")
        #expect(endpoint.host == "127.0.0.1:4566")
        #expect(endpoint.pathPrefix == "/tenants/team@example.com/aws")
    }

    @Test func hostsPortsAndSchemes() throws {
        #expect(try Self.parse("HTTPS://Example.COM:443/").baseURL == "https://example.com")
        #expect(try Self.parse("http://LocalStack:4566").baseURL == "http://localstack:4566")
        #expect(try Self.parse("http://[::1]:4566/x").baseURL == "http://[::1]:4566/x")
        #expect(try Self.parse("http://local_stack").host == "local_stack")
        for bad in [
            "http://exa mple.com", "http://exämple.com", "http://host:0", "http://host:65536", "http://host:",
            "http://host:44a", "http://[zz]:1", "http://host/a b", "http://host/%zz", "http://host/x?y", "http://host#f",
            "ws://host", "host:4566", "http://", "http:/host",
        ] {
            let error = Self.refusal(bad)
            #expect(error?.kind == .configuration, "\(bad) was accepted")
        }
    }
}
