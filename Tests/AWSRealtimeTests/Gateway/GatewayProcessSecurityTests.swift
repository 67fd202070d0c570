import Foundation
import Payloads
import TestSupport
import Testing

/// Attacks that need the real `aws-realtime` process: a crash takes every client with it, the
/// log is the process's own, and the standalone's anonymous loopback mode is decided at start.
@Suite(
    .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StandaloneProcess.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct GatewayProcessSecurityTests {
    static let secret = "process-test-secret-8f3a1c5e9b7d2046-not-in-any-log"
    static let redisPassword = "redis-pw-5d8c2b7e1f4a9036"

    struct Endpoint: GatewayEndpoint {
        let port: Int
    }

    private static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = StandaloneProcessTests.environment(home: "/nonexistent-home-for-tests", closedPort: 1)
        // Text, not JSON: JSON escapes "/" and other bytes, and the search for the secret must see it as printed.
        environment["LOG_FORMAT"] = "text"
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// The issue's crash (`exp` = 1e300 trapped converting the token lifetime) and its leak (the
    /// HS256 secret printed at debug level), on one gateway process relaying from a Redis that
    /// needs a password: tokens with huge claims are served on every protocol and the process
    /// stays up; then every log line, at trace, is searched for the secret (as text and as the
    /// byte list a reflected `[UInt8]` prints), every token used and the Redis password.
    @Test func hugeClaimsDoNotCrashTheGatewayAndNoSecretReachesTheLogAtTrace() async throws {
        try await RedisServerProcess.withServer(.init(extraArguments: ["--requirepass", Self.redisPassword])) { redis in
            let port = try FreePort.next()
            let server = try StandaloneProcess.start(
                ["gateway", "--host", "127.0.0.1", "--port", "\(port)"],
                Self.environment([
                    "LOG_LEVEL": "trace", "GATEWAY_JWT_SECRET": Self.secret,
                    "REDIS_URL": "redis://:\(Self.redisPassword)@127.0.0.1:\(redis.port)",
                ]))
            defer { server.forceKill() }
            #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(30)), "\(server.log())")
            let gateway = Endpoint(port: port)

            let normal = try await hs256Token(streams: ["*"], secret: Self.secret)
            let huge = try await rawToken(RawClaims(exp: 1e300, iat: 1e300), secret: Self.secret)
            let hugeNbf = try await rawToken(RawClaims(exp: 9.3e15, nbf: -1e300), secret: Self.secret)
            let wrongKey = try await hs256Token(streams: ["*"])
            let subscribe = "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}"
            for (token, inQuery) in [(normal, false), (huge, false), (huge, true), (hugeNbf, true)] {
                let url = "ws://127.0.0.1:\(port)/ws" + (inQuery ? "?token=\(token)" : "")
                let headers = inQuery ? [] : ["--header", "Authorization=Bearer \(token)"]
                let client = try ScriptedClient("ws_client", [url] + headers + [subscribe, "recv:1"])
                try await client.waitForExit()
                #expect(
                    client.received().first?.hasPrefix("{\"op\":\"subscribed\"") == true, "\(client.lines())\n\(server.log())")
            }
            let sse = try await runProcess(
                "/usr/bin/curl",
                [
                    "-s", "--max-time", "1", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:\(port)/events?streams=aws-costs&token=\(huge)",
                ])
            #expect(sse == "200")
            let sio = try ScriptedClient(
                "sio_client",
                [
                    "http://127.0.0.1:\(port)", "--token", huge, "--transports", "polling,websocket", "emit:subscribe-aws-health",
                    "wait:subscription-confirmed",
                ])
            _ = try await sio.waitFor("done") { $0["done"] != nil }
            #expect(sio.lines().contains { $0["event"] as? String == "subscription-confirmed" }, "\(sio.lines())")
            let refused = try ScriptedClient("ws_client", ["ws://127.0.0.1:\(port)/ws?token=\(wrongKey)"])
            try await refused.waitForExit()
            #expect(refused.lines().first?["refused"] as? Int == 401)

            #expect(server.process.isRunning, "\(server.log())")
            #expect(try await gateway.get("/health").status == 200)
            #expect(try await server.terminate(timeout: .seconds(30)) == 0)

            let log = server.log()
            // The log is at trace: it has the service group's debug lines (where the secret leaked).
            #expect(log.contains("debug") && log.contains("trace"), "\(log.prefix(2000))")
            let secretBytes = Array(Self.secret.utf8).prefix(8).map(String.init).joined(separator: ", ")
            var leaks: [String] = []
            for line in log.split(separator: "\n") {
                for (name, needle) in [
                    ("the secret", Self.secret), ("the secret's bytes", secretBytes), ("the Redis password", Self.redisPassword),
                ]
                    + [normal, huge, hugeNbf, wrongKey].enumerated().flatMap({ index, token in
                        // The whole token, and its signature alone.
                        [
                            ("token \(index)", token),
                            ("token \(index)'s signature", String(token.split(separator: ".").last ?? "")),
                        ]
                    }) where line.contains(needle)
                {
                    leaks.append("\(name): \(line.prefix(300))")
                }
            }
            #expect(leaks.isEmpty, "\(leaks.joined(separator: "\n"))")
        }
    }

    /// `--allow-anonymous` beside a configured key serves anonymously, and now says so.
    @Test func allowAnonymousOverAConfiguredKeyIsWarnedAbout() async throws {
        let port = try FreePort.next()
        let server = try StandaloneProcess.start(
            ["gateway", "--allow-anonymous", "--bus", "in-process", "--host", "127.0.0.1", "--port", "\(port)"],
            Self.environment(["GATEWAY_JWT_SECRET": Self.secret]))
        defer { server.forceKill() }
        #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(30)))
        #expect(try await server.terminate(timeout: .seconds(30)) == 0)
        let warning = server.log().split(separator: "\n").first {
            $0.contains("--allow-anonymous overrides the configured JWT key")
        }
        #expect(warning?.contains("warning") == true, "\(server.log())")
        #expect(warning?.contains("gateway.auth.ignored=GATEWAY_JWT_SECRET") == true, "\(warning ?? "")")
        #expect(warning?.contains("gateway.auth=anonymous") == true, "\(warning ?? "")")
        #expect(!server.log().contains(Self.secret))
    }

    /// Real AWS data without a key listens on 127.0.0.1, anonymously: a DNS-rebinding page
    /// (`Host: attacker.example`) gets 421; `--host 127.attacker.example` is no loopback address,
    /// so it is refused at start like any other exposed address.
    @Test func anAnonymousLoopbackStandaloneRefusesRebindingAndA127PrefixedNameIsNotLoopback() async throws {
        var environment = StandaloneProcessTests.environment(home: "/nonexistent-home-for-tests", closedPort: try FreePort.next())
        environment["AWS_REGION"] = "eu-west-1"
        environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
        environment["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(try FreePort.next())"  // closed: nothing is served from AWS

        let port = try FreePort.next()
        let local = try StandaloneProcess.start(["standalone", "--port", "\(port)"], environment)
        defer { local.forceKill() }
        #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(30)), "\(local.log())")
        let gateway = Endpoint(port: port)
        func events(host: String) async throws -> String {
            try await runProcess(
                "/usr/bin/curl",
                [
                    "-s", "--max-time", "1", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: \(host)", "-H",
                    "Origin: http://\(host)",
                    "http://127.0.0.1:\(port)/events?streams=aws-metrics",
                ])
        }
        #expect(try await events(host: "attacker.example:\(port)") == "421")
        #expect(try await events(host: "127.attacker.example:\(port)") == "421")
        #expect(try await events(host: "127.0.0.1:\(port)") == "200")
        #expect(try await events(host: "localhost:\(port)") == "200")
        #expect(try await gateway.get("/", headers: ["Host: attacker.example:\(port)"]).status == 421)
        #expect(try await local.terminate(timeout: .seconds(30)) == 0, "\(local.log())")

        let prefixed = try StandaloneProcess.start(
            ["standalone", "--host", "127.attacker.example", "--port", "\(try FreePort.next())"], environment)
        defer { prefixed.forceKill() }
        #expect(try await prefixed.exit(timeout: .seconds(30)) != 0)
        #expect(prefixed.log().contains("--allow-anonymous"), "\(prefixed.log())")
        #expect(prefixed.log().contains("127.attacker.example"))
        #expect(!prefixed.log().contains("Serving clients without a token"), "\(prefixed.log())")
    }
}
