import Foundation
import Payloads
import TestSupport
import Testing

/// Issue 17 end to end, through the built binary: moto seeded as two accounts in two Regions (each
/// account through its own assumed role), `aws-realtime standalone` with `targets` assuming
/// `aws-realtime-reader` in each account, and clients on `/ws`, Server-Sent Events and Socket.IO
/// (the python-socketio client) whose tokens allow different accounts and Regions: every envelope
/// carries the account and Region its data is from, and each client sees exactly the targets its
/// token allows.
@Suite(
    .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StandaloneProcess.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct ManyAccountsEndToEndTests {
    static let accounts = ["111111111111", "222222222222"]
    static let regions = ["eu-west-1", "us-east-1"]
    static let logGroup = "/aws-realtime/targets"

    static var workerFile: String {
        let accounts = Self.accounts.map { #"    - {id: "\#($0)", roleArn: "arn:aws:iam::\#($0):role/aws-realtime-reader"}"# }
        return """
            demand: always
            heartbeatInterval: 2s
            targets:
              regions: [\(regions.joined(separator: ", "))]
              accounts:
            \(accounts.joined(separator: "\n"))
            streams:
              aws-metrics: {enabled: false}
              aws-activity: {enabled: false}
              aws-costs: {enabled: false}
              aws-health: {enabled: false}
              aws-logs: {logGroups: [\(logGroup)], interval: 2s, initialLookback: 10m}
              aws-security: {interval: 2s}
            """
    }

    /// What a client saw: `<type> <account>/<region>` for each logs and security envelope, after
    /// checking that its data names that same account and Region.
    static func origins(_ envelopes: [[String: Any]]) -> Set<String> {
        var seen = Set<String>()
        for envelope in envelopes {
            guard let type = envelope["type"] as? String, type == "logs" || type == "security",
                let account = envelope["account"] as? String, let region = envelope["region"] as? String,
                let data = envelope["data"] as? [String: Any]
            else { continue }
            let tag = "\(account)/\(region)"
            if type == "logs" {
                let messages = (data["events"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
                #expect(messages == ["hello from \(tag)"], "logs envelope of \(tag)")
            } else {
                let ids = (data["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids == ["finding-\(account)-\(region)"], "security envelope of \(tag)")
            }
            seen.insert("\(type) \(tag)")
        }
        return seen
    }

    static func expected(accounts: [String] = accounts, regions: [String] = regions) -> Set<String> {
        Set(["logs", "security"].flatMap { type in accounts.flatMap { a in regions.map { "\(type) \(a)/\($0)" } } })
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    /// The envelopes an SSE client gets from `/events` in 2 s: the snapshot of each stream.
    static func serverSentEnvelopes(port: Int, token: String, query: String = "") async throws -> [[String: Any]] {
        let url = "http://127.0.0.1:\(port)/events?streams=aws-logs,aws-security\(query)&token=\(token)"
        let text = try await runProcess("/usr/bin/curl", ["-sN", "--max-time", "2", url])
        return ServerSentEventsText.events(text).map { json($0.data) }
    }

    /// The snapshot envelopes of a `/ws` `subscribed` reply.
    static func snapshotEnvelopes(_ subscribed: String) -> [[String: Any]] {
        json(subscribed)["snapshots"] as? [[String: Any]] ?? []
    }

    @Test func eachClientSeesExactlyTheAccountsAndRegionsItsTokenAllowsOnEveryProtocol() async throws {
        try await withMotoServer { moto in
            let seeded = try await runProcess(
                "/usr/bin/env",
                [
                    "python3", TestRepository.url("Tests/GatewayTests/Scripts/seed_moto_targets.py").path, moto.endpointURL,
                    Self.logGroup, Self.regions.joined(separator: ","),
                ] + Self.accounts)
            #expect(seeded.contains("\"seeded\""), "moto seeding: \(seeded)")

            let home = FileManager.default.temporaryDirectory.appendingPathComponent("many-accounts-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: home) }
            let file = home.appendingPathComponent("worker.yaml")
            try Self.workerFile.write(to: file, atomically: true, encoding: .utf8)
            var environment = StandaloneProcessTests.environment(home: home.path, closedPort: try FreePort.next())
            environment["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
            environment["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            environment["AWS_REGION"] = "eu-west-1"
            environment["AWS_ENDPOINT_URL"] = moto.endpointURL
            environment["GATEWAY_JWT_SECRET"] = testSecret
            let port = try FreePort.next()
            let server = try StandaloneProcess.start(
                ["standalone", "--host", "127.0.0.1", "--port", "\(port)", "--config", file.path], environment)
            defer { server.forceKill() }
            #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(30)), "\(server.log())")

            // Every target of both streams published (an all-seeing SSE client's snapshot).
            let all = try await hs256Token(streams: ["*"])
            var everything = Set<String>()
            let deadline = ContinuousClock.now.advanced(by: .seconds(90))
            while everything != Self.expected(), ContinuousClock.now < deadline {
                everything = Self.origins(try await Self.serverSentEnvelopes(port: port, token: all))
            }
            #expect(everything == Self.expected(), "server log:\n\(server.log())")

            // /ws, token: account 1 only.
            let accountOne = try ScriptedClient(
                "ws_client",
                [
                    "ws://127.0.0.1:\(port)/ws?token=" + (try await hs256Token(streams: ["*"], accounts: [Self.accounts[0]])),
                    #"send:{"op":"subscribe","stream":"aws-logs"}"#, "until:subscribed",
                    #"send:{"op":"subscribe","stream":"aws-security"}"#, "until:subscribed",
                ])
            _ = try await accountOne.waitFor("done") { $0["done"] != nil || $0["error"] != nil }
            let wsSeen = Self.origins(accountOne.received().flatMap(Self.snapshotEnvelopes))
            #expect(wsSeen == Self.expected(accounts: [Self.accounts[0]]))

            // SSE, token: us-east-1 only.
            let usToken = try await hs256Token(streams: ["*"], regions: ["us-east-1"])
            let sseSeen = Self.origins(try await Self.serverSentEnvelopes(port: port, token: usToken))
            #expect(sseSeen == Self.expected(regions: ["us-east-1"]))
            // ... and a subscribe narrower than its token: account 2.
            let narrowed = Self.origins(
                try await Self.serverSentEnvelopes(port: port, token: usToken, query: "&accounts=\(Self.accounts[1])"))
            #expect(narrowed == Self.expected(accounts: [Self.accounts[1]], regions: ["us-east-1"]))

            // Socket.IO, token: account 2 in eu-west-1; the NestJS payload (no filter).
            let sio = try ScriptedClient(
                "sio_client",
                [
                    "http://127.0.0.1:\(port)", "--in-order", "--transports", "websocket", "--token",
                    try await hs256Token(streams: ["*"], accounts: [Self.accounts[1]], regions: ["eu-west-1"]),
                    #"emit:subscribe-aws-logs={"interval":5000}"#, #"emit:subscribe-aws-security={"interval":5000}"#,
                    "sleep:3",
                ])
            _ = try await sio.waitFor("done") { $0["done"] != nil }
            let updates = sio.lines().compactMap { line -> [String: Any]? in
                guard let event = line["event"] as? String, event.hasSuffix("-update") else { return nil }
                return line["data"] as? [String: Any]
            }
            #expect(Self.origins(updates) == Self.expected(accounts: [Self.accounts[1]], regions: ["eu-west-1"]))
            // No target failed: the worker logged no error.
            #expect(!server.log().contains(#""level":"error""#), "\(server.log())")
            #expect(try await server.terminate(timeout: .seconds(30)) == 0)
        }
    }
}
