import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// The gateway against hostile clients, on a real gateway over 127.0.0.1: unauthenticated
/// Socket.IO handshakes by the hundred, DNS rebinding, and the Engine.IO edges where the
/// reference server (socketio/socket.io) closes or answers differently than a lenient server.
@Suite(.serialized, .tags(.integration)) struct HostileClientTests {
    static var authenticated: GatewayConfiguration {
        GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))))
    }

    /// The statuses of `count` GETs of `path`, one curl process (sequential requests).
    private func statuses(_ gateway: some GatewayEndpoint, _ path: String, count: Int, headers: [String] = []) async throws
        -> [Int]
    {
        var arguments = ["-s", "--max-time", "30"]
        for header in headers { arguments += ["-H", header] }
        for _ in 0..<count {
            arguments += ["-o", "/dev/null", "-w", "%{http_code}\n", "http://127.0.0.1:\(gateway.port)\(path)"]
        }
        return try await runProcess("/usr/bin/curl", arguments).split(separator: "\n").compactMap { Int($0) }
    }

    /// One request bounded at `seconds` (an SSE stream or a long poll is cut there): status and body so far.
    private func bounded(_ gateway: some GatewayEndpoint, _ path: String, seconds: Double, headers: [String] = []) async throws
        -> (status: Int, body: String)
    {
        var arguments = ["-s", "--max-time", "\(seconds)", "-o", "-", "-w", "\n%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        arguments.append("http://127.0.0.1:\(gateway.port)\(path)")
        var lines = try await runProcess("/usr/bin/curl", arguments).split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    private func code(_ body: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["code"] as? Int
    }

    private func handshake(_ gateway: some GatewayEndpoint) async throws -> String {
        let (status, body) = try await gateway.get("/socket.io/?EIO=4&transport=polling")
        #expect(status == 200)
        let open = try #require(try JSONSerialization.jsonObject(with: Data(body.dropFirst().utf8)) as? [String: Any])
        return try #require(open["sid"] as? String)
    }

    // MARK: Admission

    /// The attack of the issue: token-less handshakes were admitted against the connection limit
    /// and held their slot 45 s, so a flood of them locked authenticated clients out (503).
    @Test func aFloodOfTokenlessHandshakesLocksNoAuthenticatedClientOut() async throws {
        var configuration = Self.authenticated
        configuration.limits.maxConnections = 4
        configuration.limits.maxPendingHandshakes = 100
        configuration.limits.maxPendingHandshakesPerAddress = 20
        configuration.socketIO.connectTimeout = .seconds(2)
        let token = try await hs256Token(streams: ["*"])
        try await withGateway(configuration) { gateway in
            let flood = try await statuses(gateway, "/socket.io/?EIO=4&transport=polling", count: 40)
            #expect(flood.count == 40)
            #expect(flood.prefix(20).allSatisfy { $0 == 200 }, "\(flood)")
            #expect(flood.dropFirst(20).allSatisfy { $0 == 403 }, "\(flood)")
            let refused = try await gateway.get("/socket.io/?EIO=4&transport=polling")
            #expect(refused.status == 403 && code(refused.body) == 4, "\(refused)")
            #expect(refused.body.contains("too many Socket.IO handshakes from this address"))
            #expect(try await gateway.metric("gateway_pending_handshakes") == 20)
            #expect(try await gateway.metric("gateway_handshake_budget_refusals_total") == 21)
            // A WebSocket-transport handshake is held to the same budget.
            let webSocketHandshake = try ScriptedClient(
                "ws_client", ["ws://127.0.0.1:\(gateway.port)/socket.io/?EIO=4&transport=websocket"])
            try await webSocketHandshake.waitForExit()
            #expect(webSocketHandshake.lines().first?["refused"] as? Int == 403)

            // Authenticated clients still get in, on every protocol.
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "--header", "Authorization=Bearer \(token)",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "recv:1",
                ])
            try await client.waitForExit()
            #expect(client.received().first?.hasPrefix("{\"op\":\"subscribed\"") == true, "\(client.lines())")
            let sse = try await bounded(gateway, "/events?streams=aws-metrics&token=\(token)", seconds: 1)
            #expect(sse.status == 200)

            // The pending sessions end at the connect timeout; Socket.IO handshakes are admitted again.
            try await gateway.eventually("the pending handshakes time out") {
                try await gateway.metric("gateway_pending_handshakes") == 0
            }
            let sio = try ScriptedClient(
                "sio_client",
                [
                    "http://127.0.0.1:\(gateway.port)", "--token", token, "--transports", "polling", "emit:subscribe-aws-metrics",
                    "wait:subscription-confirmed",
                ])
            let connected = try await sio.waitFor("connected") { $0["connected"] != nil || $0["connect_error"] != nil }
            #expect(connected["connected"] != nil, "\(sio.lines())")
        }
    }

    /// A session takes a counted slot only when its CONNECT authenticates; at the connection
    /// limit the CONNECT is refused with a reason and the session stays pending.
    @Test func aSessionTakesAConnectionSlotOnlyOnceConnected() async throws {
        var configuration = Self.authenticated
        configuration.limits.maxConnections = 1
        let token = try await hs256Token(streams: ["*"])
        try await withGateway(configuration) { gateway in
            let first = try await handshake(gateway)
            let second = try await handshake(gateway)
            #expect(try await gateway.metric("gateway_pending_handshakes") == 2)
            let firstPath = "/socket.io/?EIO=4&transport=polling&sid=\(first)"
            #expect(try await gateway.post(firstPath, body: "40/aws-realtime,{\"token\":\"\(token)\"}").body == "ok")
            #expect(try await gateway.get(firstPath).body.hasPrefix("40/aws-realtime,{\"sid\":"))
            #expect(try await gateway.metric("gateway_pending_handshakes") == 1)
            let secondPath = "/socket.io/?EIO=4&transport=polling&sid=\(second)"
            #expect(try await gateway.post(secondPath, body: "40/aws-realtime,{\"token\":\"\(token)\"}").body == "ok")
            #expect(
                try await gateway.get(secondPath).body
                    == "44/aws-realtime,{\"message\":\"connection limit reached; try again later\"}")
            #expect(try await gateway.metric("gateway_pending_handshakes") == 1)
            // /ws finds the limit reached by the one connected session.
            let refused = try ScriptedClient("ws_client", [gateway.webSocketURL, "--header", "Authorization=Bearer \(token)"])
            try await refused.waitForExit()
            #expect(refused.lines().first?["refused"] as? Int == 503)
        }
    }

    // MARK: Host (DNS rebinding)

    /// A page on attacker.example rebinds its name to 127.0.0.1: the browser's requests carry
    /// `Host: attacker.example` (and a same-origin `Origin`). A token-less gateway on loopback
    /// answers them 421, on every endpoint that serves data.
    @Test func aTokenlessLoopbackGatewayRefusesForeignHostsWith421() async throws {
        try await withGateway { gateway in
            let host = "Host: attacker.example:\(gateway.port)"
            let origin = "Origin: http://attacker.example:\(gateway.port)"
            let events = try await bounded(gateway, "/events?streams=aws-metrics", seconds: 2, headers: [host, origin])
            #expect(events.status == 421)
            #expect(events.body.contains("DNS rebinding"))
            #expect(try await gateway.get("/", headers: [host]).status == 421)
            #expect(try await gateway.get("/socket.io/?EIO=4&transport=polling", headers: [host, origin]).status == 421)
            let upgrade = try await gateway.get(
                "/ws",
                headers: [
                    host, origin, "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                ])
            #expect(upgrade.status == 421)
            let socketIOUpgrade = try await gateway.get(
                "/socket.io/?EIO=4&transport=websocket",
                headers: [
                    "Host: 127.attacker.example:\(gateway.port)", "Connection: Upgrade", "Upgrade: websocket",
                    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                ])
            #expect(socketIOUpgrade.status == 421)
            #expect(try await gateway.metric("gateway_host_refusals_total") == 5)
            // Its own names are answered; probes whatever the Host.
            for name in ["127.0.0.1:\(gateway.port)", "localhost:\(gateway.port)", "[::1]:\(gateway.port)"] {
                #expect(
                    try await bounded(gateway, "/events?streams=aws-metrics", seconds: 1, headers: ["Host: \(name)"]).status
                        == 200)
            }
            #expect(try await gateway.get("/health", headers: [host]).status == 200)
        }
    }

    // MARK: Engine.IO as the reference server

    /// packages/engine.io/lib/server.ts `verify`: a handshake is GET only.
    @Test func aHandshakeWithAnotherMethodIsABadHandshakeMethod() async throws {
        try await withGateway { gateway in
            for method in ["PUT", "DELETE", "PATCH", "POST"] {
                let reply = try await gateway.request(method, "/socket.io/?EIO=4&transport=polling", body: "")
                #expect(reply.status == 400, "\(method)")
                #expect(reply.body == "{\"code\":2,\"message\":\"Bad handshake method\"}", "\(method)")
            }
        }
    }

    /// packages/engine.io/lib/transports/polling.ts `onClose`: the client's close packet answers
    /// the pending GET with a noop.
    @Test func theClientsCloseAnswersItsPendingPollWithANoop() async throws {
        try await withGateway { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            #expect(try await gateway.post(path, body: "40/aws-realtime,").body == "ok")
            #expect(try await gateway.get(path).body.hasPrefix("40/aws-realtime,"))
            async let pending = bounded(gateway, path, seconds: 5)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await gateway.post(path, body: "1").body == "ok")
            let answer = try await pending
            #expect(answer.status == 200 && answer.body == "6", "\(answer)")
            let after = try await gateway.get(path)
            #expect(after.status == 400 && code(after.body) == 1)
        }
    }

    /// packages/socket.io/lib/client.ts `ondecoded`: a packet for a namespace the client has not
    /// joined, or a second CONNECT to one it has, closes the session.
    @Test(arguments: [
        "42/aws-realtime,[\"subscribe-aws-metrics\"]", "41/aws-realtime,", "43/aws-realtime,1[]", "42[\"subscribe-aws-metrics\"]",
    ])
    func aPacketForANamespaceNotJoinedClosesTheSession(packet: String) async throws {
        try await withGateway(Self.quickPings) { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            #expect(try await gateway.post(path, body: packet).body == "ok")
            try await expectClosed(gateway, path)
        }
    }

    @Test func aSecondConnectToTheJoinedNamespaceClosesTheSession() async throws {
        try await withGateway(Self.quickPings) { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            #expect(try await gateway.post(path, body: "40/aws-realtime,").body == "ok")
            #expect(try await gateway.get(path).body.hasPrefix("40/aws-realtime,"))
            #expect(try await gateway.post(path, body: "40/aws-realtime,").body == "ok")
            try await expectClosed(gateway, path)
        }
    }

    /// Pings every 800 ms (a GET on an open session returns "2" by then), pongs awaited 5 s.
    static var quickPings: GatewayConfiguration {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.socketIO.pingInterval = .milliseconds(800)
        configuration.socketIO.pingTimeout = .seconds(5)
        return configuration
    }

    /// One GET (no overlapping polls, which close a session by themselves) after the inbound
    /// packet had time to be handled: a closed session is unknown; an open one would be pinged.
    private func expectClosed(_ gateway: some GatewayEndpoint, _ path: String) async throws {
        try await Task.sleep(for: .milliseconds(300))
        let reply = try await bounded(gateway, path, seconds: 3)
        #expect(reply.status == 400 && code(reply.body) == 1, "\(reply)")
    }

    @Test func aMissingTokenSaysToPassItInTheAuthPayload() async throws {
        try await withGateway(Self.authenticated) { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            #expect(try await gateway.post(path, body: "40/aws-realtime,").body == "ok")
            let refusal = try await gateway.get(path).body
            #expect(refusal.hasPrefix("44/aws-realtime,{\"message\":\"missing token: pass it as auth: {token: "), "\(refusal)")
            // The refused client may try again with a token on the same session.
            let token = try await hs256Token(streams: ["*"])
            #expect(try await gateway.post(path, body: "40/aws-realtime,{\"token\":\"\(token)\"}").body == "ok")
            #expect(try await gateway.get(path).body.hasPrefix("40/aws-realtime,{\"sid\":"))
        }
    }
}
