import Bus
import Foundation
import Gateway
import Payloads
import Redis
import Synchronization
import TestSupport
import Testing

/// The Socket.IO endpoint against the PyPI `python-socketio` client (an independent
/// implementation of what socket.io-client v4 speaks), raw Engine.IO requests with curl, and raw
/// WebSocket frames.
@Suite(.serialized, .tags(.integration)) struct SocketIOTests {
    static let transports: [String] = ["websocket", "polling", "polling,websocket"]

    private func sio(_ gateway: some GatewayEndpoint, _ arguments: [String]) throws -> ScriptedClient {
        try ScriptedClient("sio_client", ["http://127.0.0.1:\(gateway.port)"] + arguments)
    }

    private func events(_ client: ScriptedClient, _ name: String) -> [Any] {
        client.lines().filter { $0["event"] as? String == name }.compactMap { $0["data"] }
    }

    // MARK: python-socketio

    @Test(arguments: transports)
    func connectsSubscribesAndReceivesUpdates(transports: String) async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        // A short ping interval so the upgrade and a few heartbeats happen within the test.
        configuration.socketIO.pingInterval = .milliseconds(500)
        try await withGateway(configuration) { gateway in
            let client = try sio(
                gateway,
                [
                    "--transports", transports, "--in-order", "emit:subscribe-aws-metrics={\"interval\":5000}",
                    "wait:subscription-confirmed",
                    "wait:aws-metrics-update=3", "sleep:1.2",
                ])
            let established = try await client.waitFor("connection-established") {
                $0["event"] as? String == "connection-established"
            }
            let hello = try #require(established["data"] as? [String: Any])
            #expect(hello["clientId"] is String)
            #expect(hello["timestamp"] is String)
            #expect((hello["availableStreams"] as? [String])?.count == 6)
            let confirmed = try await client.waitFor("confirmed") { $0["event"] as? String == "subscription-confirmed" }
            let confirmation = try #require(confirmed["data"] as? [String: Any])
            #expect(confirmation["stream"] as? String == "aws-metrics")
            #expect(confirmation["interval"] as? Int == 5000)
            try await gateway.eventually("bus subscription") {
                try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 1
            }
            let ids = try await gateway.publish(3)
            _ = try await client.waitFor("done", timeout: .seconds(20)) { $0["done"] != nil }
            let updates = events(client, "aws-metrics-update").compactMap { $0 as? [String: Any] }
            #expect(updates.compactMap { $0["id"] as? String } == ids.map(\.description))
            let first = try #require(updates.first)
            // The old gateway's {timestamp, data, type, id}, and where the data is from.
            #expect(Set(first.keys) == ["timestamp", "data", "type", "id", "account", "region"])
            #expect(first["type"] as? String == "metrics")
            #expect((first["data"] as? [String: Any])?["seq"] as? Int == 0)
            let transport = client.lines().compactMap { $0["transport"] as? String }.first
            #expect(transport == (transports == "polling" ? "polling" : "websocket"))
            if transports == "polling,websocket" {
                #expect(try await gateway.metric("gateway_socketio_upgrades_total") == 1)
            }
            try await client.waitForExit()
            try await gateway.eventually("session gone") {
                try await gateway.metric("gateway_connections{protocol=\"socketio\"}") == 0
            }
            #expect(try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 0)
        }
    }

    @Test func everyStreamRelaysAsItsUpdateEvent() async throws {
        try await withGateway { gateway in
            let subscribes = StreamName.allCases.map { "emit:subscribe-\($0.rawValue)" }
            let waits = StreamName.allCases.map { "wait:\($0.rawValue)-update" }
            let client = try sio(gateway, ["--transports", "websocket"] + subscribes + ["wait:subscription-confirmed=6"] + waits)
            try await gateway.eventually("six confirmations") {
                client.lines().filter { $0["event"] as? String == "subscription-confirmed" }.count == 6
            }
            for stream in StreamName.allCases { try await gateway.publish(1, to: stream) }
            _ = try await client.waitFor("done", timeout: .seconds(30)) { $0["done"] != nil }
            for stream in StreamName.allCases {
                let update = events(client, "\(stream.rawValue)-update").first as? [String: Any]
                #expect(update?["type"] as? String == stream.dataType, "\(stream)")
            }
        }
    }

    /// The production path: updates published to Redis the way the worker does, relayed by a
    /// gateway on the Redis bus to a client that starts on long-polling and upgrades.
    @Test func everyStreamPublishedToRedisReachesASocketIOClient() async throws {
        let reconnect = RedisConfiguration.Reconnect(
            initialDelay: .milliseconds(100), maxDelay: .seconds(1), multiplier: 2, jitter: 0.2)
        try await withRedisGateway(gatewayReconnect: reconnect) { gateway in
            let subscribes = StreamName.allCases.map { "emit:subscribe-\($0.rawValue)" }
            let waits = StreamName.allCases.map { "wait:\($0.rawValue)-update" }
            let client = try sio(gateway, subscribes + ["wait:subscription-confirmed=6"] + waits)
            try await gateway.eventually("six confirmations") {
                client.lines().filter { $0["event"] as? String == "subscription-confirmed" }.count == 6
            }
            var published: [StreamName: BusMessageID] = [:]
            for (seq, stream) in StreamName.allCases.enumerated() {
                published[stream] = try await gateway.publish(seq: seq, to: stream)
            }
            _ = try await client.waitFor("done", timeout: .seconds(30)) { $0["done"] != nil }
            for stream in StreamName.allCases {
                let update = events(client, "\(stream.rawValue)-update").first as? [String: Any]
                #expect(update?["id"] as? String == published[stream]?.description, "\(stream)")
                #expect(update?["type"] as? String == stream.dataType, "\(stream)")
            }
        }
    }

    @Test func snapshotOnSubscribeAndResumeWithSince() async throws {
        try await withGateway { gateway in
            let ids = try await gateway.publish(4)
            let client = try sio(
                gateway,
                [
                    "--transports", "websocket", "emit:subscribe-aws-metrics", "wait:aws-metrics-update",
                    "emit:subscribe-aws-costs", "wait:subscription-confirmed=2",
                ])
            _ = try await client.waitFor("done") { $0["done"] != nil }
            // The snapshot: the latest message, as the old gateway sent data right after subscribing.
            let snapshot = events(client, "aws-metrics-update").first as? [String: Any]
            #expect(snapshot?["id"] as? String == ids.last?.description)

            let resumed = try sio(
                gateway,
                [
                    "--transports", "websocket", "emit:subscribe-aws-metrics={\"since\":\"\(ids[1])\"}",
                    "wait:aws-metrics-update=2",
                ])
            _ = try await resumed.waitFor("done") { $0["done"] != nil }
            let resumedIDs = events(resumed, "aws-metrics-update").compactMap { ($0 as? [String: Any])?["id"] as? String }
            #expect(resumedIDs == ids.suffix(2).map(\.description))
        }
    }

    @Test func authAcceptedRefusedAndLimitedToTheTokensStreams() async throws {
        let configuration = GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))))
        try await withGateway(configuration) { gateway in
            let good = try await hs256Token(streams: ["aws-costs"])
            let accepted = try sio(
                gateway,
                [
                    "--token", good, "--transports", "polling", "emit:subscribe-aws-costs", "emit:subscribe-aws-metrics",
                    "wait:subscription-confirmed", "wait:error",
                ])
            _ = try await accepted.waitFor("done") { $0["done"] != nil }
            let hello = events(accepted, "connection-established").first as? [String: Any]
            #expect(hello?["availableStreams"] as? [String] == ["aws-costs"])
            let error = events(accepted, "error").first as? [String: Any]
            #expect(error?["code"] as? String == "forbidden")
            #expect(error?["stream"] as? String == "aws-metrics")

            let refused = try sio(gateway, ["--token", "not-a-jwt", "--transports", "websocket"])
            let refusal = try await refused.waitFor("connect_error") { $0["connect_error"] != nil }
            #expect("\(refusal["connect_error"] ?? "")".contains("invalid token"))
            let missing = try sio(gateway, ["--transports", "polling"])
            let missingRefusal = try await missing.waitFor("connect_error") { $0["connect_error"] != nil }
            #expect("\(missingRefusal["connect_error"] ?? "")".contains("missing token"))
            #expect(try await gateway.metric("gateway_auth_failures_total") == 2)
        }
    }

    @Test func anExpiringTokenEndsWithADisconnectTheClientDoesNotRetry() async throws {
        let configuration = GatewayConfiguration(
            auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8))), leeway: .zero))
        try await withGateway(configuration) { gateway in
            let token = try await hs256Token(streams: ["*"], expiresIn: 2)
            let client = try sio(
                gateway, ["--token", token, "--reconnect", "--transports", "websocket", "wait-disconnect", "sleep:1"])
            _ = try await client.waitFor("connected") { $0["connected"] != nil }
            let disconnected = try await client.waitFor("disconnected", timeout: .seconds(10)) { $0["disconnected"] != nil }
            #expect("\(disconnected["disconnected"] ?? "")".contains("server disconnect"))
            _ = try await client.waitFor("done") { $0["done"] != nil }
            // socket.io-client semantics: a server DISCONNECT is final, no reconnect attempt.
            #expect(client.lines().filter { $0["connected"] != nil }.count == 1)
            #expect(try await gateway.metric("gateway_token_expiries_total") == 1)
        }
    }

    @Test func drainClosesTheTransportSoClientsReconnectElsewhere() async throws {
        let shutdown = try await withGatewayShutdown(
            idleConnection: false, "sio_client",
            arguments: { port in
                ["http://127.0.0.1:\(port)", "--transports", "websocket", "emit:subscribe-aws-metrics", "wait-disconnect"]
            },
            ready: { $0["event"] as? String == "subscription-confirmed" })
        #expect(shutdown.stoppedInTime)
        let disconnected = try await shutdown.client.waitFor("disconnected") { $0["disconnected"] != nil }
        // The transport closed (python-socketio calls it a transport error), not a server
        // DISCONNECT: Socket.IO clients reconnect by themselves after it.
        let reason = "\(disconnected["disconnected"] ?? "")"
        #expect(reason.contains("transport"), "\(reason)")
        #expect(!reason.contains("server disconnect"))
    }

    @Test func acksAnswerRequestsAndErrors() async throws {
        try await withGateway { gateway in
            let client = try sio(
                gateway,
                [
                    "--transports", "websocket", "call:subscribe-aws-health={\"interval\":60000}", "call:subscribe-aws-nothing",
                    "call:unsubscribe-aws-health", "call:unsubscribe-aws-health", "call:hello",
                ])
            _ = try await client.waitFor("done") { $0["done"] != nil }
            // python-socketio hands over an ack's single argument as it is.
            let acks = client.lines().filter { $0["ack"] != nil }.compactMap { $0["data"] as? [String: Any] }
            try #require(acks.count == 5)
            #expect(acks[0]["stream"] as? String == "aws-health")
            #expect(acks[0]["interval"] as? Int == 60000)
            #expect((acks[1]["error"] as? [String: Any])?["code"] as? String == "unknown-stream")
            #expect(acks[2]["stream"] as? String == "aws-health")
            #expect((acks[3]["error"] as? [String: Any])?["code"] as? String == "not-subscribed")
            #expect((acks[4]["error"] as? [String: Any])?["code"] as? String == "unknown-event")
            #expect(events(client, "unsubscription-confirmed").count == 1)
            #expect(try await gateway.metric("gateway_subscriptions{stream=\"aws-health\"}") == 0)
        }
    }

    @Test func reconnectsAfterTheGatewayRestarts() async throws {
        let port = try FreePort.next()
        let client = Mutex<ScriptedClient?>(nil)
        try await withGateway(port: port) { gateway in
            let started = try sio(
                gateway,
                [
                    "--reconnect", "--transports", "websocket", "--on-connect", "subscribe-aws-metrics", "wait-reconnect",
                    "wait:aws-metrics-update",
                ])
            client.withLock { $0 = started }
            _ = try await started.waitFor("confirmed") { $0["event"] as? String == "subscription-confirmed" }
        }
        let running = try #require(client.withLock { $0 })
        _ = try await running.waitFor("disconnected") { $0["disconnected"] != nil }
        try await withGateway(port: port) { gateway in
            try await gateway.eventually("resubscribed") {
                try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 1
            }
            let ids = try await gateway.publish(1)
            _ = try await running.waitFor("done", timeout: .seconds(30)) { $0["done"] != nil }
            let update = events(running, "aws-metrics-update").last as? [String: Any]
            #expect(update?["id"] as? String == ids.first?.description)
        }
    }

    @Test func slowSocketIOClientIsCutWhileOthersKeepReceiving() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxQueuedMessages = 256
        configuration.limits.maxQueuedBytes = 1 << 20
        let count = 2000
        let batch = 100
        try await withGateway(configuration, bus: .init(historyLength: 5000, subscriberBufferSize: 8192)) { gateway in
            let fast = try sio(
                gateway,
                ["--ids-only", "--transports", "websocket", "emit:subscribe-aws-metrics", "wait:aws-metrics-update=\(count)"])
            _ = try await fast.waitFor("confirmed") { $0["event"] as? String == "subscription-confirmed" }
            let slow = try ScriptedClient("slow_client", ["--socketio", "127.0.0.1", String(gateway.port)])
            _ = try await slow.waitFor("slow subscribed") { $0["subscribed"] != nil }
            try await gateway.eventually("two subscriptions") {
                try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 2
            }
            // Published in batches the reading client keeps up with (a Python client takes its
            // time); the one that reads nothing falls behind by megabytes and is cut.
            var ids: [BusMessageID] = []
            while ids.count < count {
                ids += try await gateway.publish(batch, padding: 4000)
                let published = ids.count
                try await gateway.eventually("fast client caught up") {
                    fast.lines().count { $0["event"] as? String == "aws-metrics-update" } >= published - batch
                }
            }
            _ = try await fast.waitFor("done", timeout: .seconds(60)) { $0["done"] != nil }
            // python-socketio runs event handlers on worker threads: their order is its own.
            let received = fast.lines().filter { $0["event"] as? String == "aws-metrics-update" }.compactMap {
                $0["id"] as? String
            }
            #expect(received.count == ids.count)
            #expect(Set(received) == Set(ids.map(\.description)))
            try await gateway.eventually("slow client cut") {
                try await gateway.metric("gateway_slow_client_disconnects_total") >= 1
            }
            #expect(try await gateway.metric("gateway_slow_client_disconnects_total") == 1)
            slow.release()
            let result = try await slow.waitFor("eof", timeout: .seconds(30)) { $0["eof"] != nil }
            #expect(result["eof"] as? Bool == true)
            #expect((result["bytes"] as? Int ?? 0) < count * 4000)
        }
    }

    // MARK: Engine.IO and Socket.IO edge cases, raw

    private func handshake(_ gateway: RunningGateway) async throws -> String {
        let (status, body) = try await gateway.get("/socket.io/?EIO=4&transport=polling")
        #expect(status == 200)
        #expect(body.hasPrefix("0{"))
        let open = try #require(try JSONSerialization.jsonObject(with: Data(body.dropFirst().utf8)) as? [String: Any])
        #expect(Set(open.keys) == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
        #expect(open["upgrades"] as? [String] == ["websocket"])
        return try #require(open["sid"] as? String)
    }

    private func code(_ body: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["code"] as? Int
    }

    @Test func handshakeErrorsAnswerAsTheReferenceServer() async throws {
        try await withGateway { gateway in
            let badVersion = try await gateway.get("/socket.io/?EIO=3&transport=polling")
            #expect(badVersion.status == 400 && code(badVersion.body) == 5)
            let badTransport = try await gateway.get("/socket.io/?EIO=4&transport=tobi")
            #expect(badTransport.status == 400 && code(badTransport.body) == 0)
            let unknownSession = try await gateway.get("/socket.io/?EIO=4&transport=polling&sid=nope")
            #expect(unknownSession.status == 400 && code(unknownSession.body) == 1)
            let postHandshake = try await gateway.post("/socket.io/?EIO=4&transport=polling", body: "40")
            #expect(postHandshake.status == 400 && code(postHandshake.body) == 2)
        }
    }

    @Test func pollingNamespacesAndMalformedPackets() async throws {
        try await withGateway { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            // Two packets in one body: the main namespace and an unknown one are refused cleanly.
            #expect(try await gateway.post(path, body: "40\u{1E}40/nope,").body == "ok")
            let refusals = try await gateway.get(path).body
            #expect(refusals == "44{\"message\":\"Invalid namespace\"}\u{1E}44/nope,{\"message\":\"Invalid namespace\"}")
            #expect(try await gateway.post(path, body: "40/aws-realtime,").body == "ok")
            let connected = try await gateway.get(path).body.split(separator: "\u{1E}")
            #expect(connected.first?.hasPrefix("40/aws-realtime,{\"sid\":\"") == true)
            #expect(connected.last?.hasPrefix("42/aws-realtime,[\"connection-established\",") == true)
            // A binary event is refused with an error event; its attachment is discarded.
            let binary = "451-/aws-realtime,[\"subscribe-aws-metrics\",{\"_placeholder\":true,\"num\":0}]\u{1E}bAQID"
            #expect(try await gateway.post(path, body: binary).body == "ok")
            let binaryError = try await gateway.get(path).body
            #expect(binaryError.hasPrefix("42/aws-realtime,[\"error\",{\"message\":\"binary packets are not supported"))
            // A malformed packet closes the session, as the reference server does.
            let malformed = try await gateway.post(path, body: "4abc")
            #expect(malformed.status == 400 && code(malformed.body) == 3)
            let after = try await gateway.get(path)
            #expect(after.status == 400 && code(after.body) == 1)
        }
    }

    @Test func oversizePollingBodyAndOverlappingPolls() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.socketIO.maxPayload = 2048
        try await withGateway(configuration) { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            let big = try await gateway.post(path, body: "4" + String(repeating: "x", count: 4096))
            #expect(big.status == 413)
            #expect(try await gateway.get(path).status == 400)

            let second = try await handshake(gateway)
            let secondPath = "/socket.io/?EIO=4&transport=polling&sid=\(second)"
            async let first = gateway.get(secondPath)
            try await Task.sleep(for: .milliseconds(200))
            let overlapping = try await gateway.get(secondPath)
            #expect(overlapping.status == 400)
            let firstReply = try await first
            #expect(firstReply.status == 200 && firstReply.body == "1")
        }
    }

    @Test func heartbeatPingsAndClosesSilentSessions() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.socketIO.pingInterval = .milliseconds(300)
        configuration.socketIO.pingTimeout = .milliseconds(200)
        try await withGateway(configuration) { gateway in
            let sid = try await handshake(gateway)
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            for _ in 0..<3 {
                #expect(try await gateway.get(path).body == "2")
                #expect(try await gateway.post(path, body: "3").body == "ok")
            }
            let silent = try await handshake(gateway)
            try await Task.sleep(for: .milliseconds(900))
            #expect(try await gateway.get("/socket.io/?EIO=4&transport=polling&sid=\(silent)").status == 400)
        }
    }

    @Test func sessionThatJoinsNoNamespaceIsClosedAfterTheConnectTimeout() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.socketIO.connectTimeout = .milliseconds(400)
        try await withGateway(configuration) { gateway in
            let idle = try await handshake(gateway)
            let joined = try await handshake(gateway)
            let joinedPath = "/socket.io/?EIO=4&transport=polling&sid=\(joined)"
            #expect(try await gateway.post(joinedPath, body: "40/aws-realtime,").body == "ok")
            #expect(try await gateway.get(joinedPath).body.hasPrefix("40/aws-realtime,{\"sid\":"))
            #expect(try await gateway.metric("gateway_connections{protocol=\"socketio\"}") == 2)
            try await Task.sleep(for: .milliseconds(900))
            #expect(try await gateway.get("/socket.io/?EIO=4&transport=polling&sid=\(idle)").status == 400)
            try await gateway.eventually("the idle session is gone, the joined one stays") {
                try await gateway.metric("gateway_connections{protocol=\"socketio\"}") == 1
            }
            #expect(try await gateway.post(joinedPath, body: "3").body == "ok")
        }
    }

    /// A probe that is not `2probe` then `5`, or that stalls past `upgradeTimeout`, is closed and
    /// the session goes on over long-polling.
    @Test func failedAndStalledUpgradesLeaveTheSessionOnPolling() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.socketIO.upgradeTimeout = .milliseconds(300)
        try await withGateway(configuration) { gateway in
            let sid = try await handshake(gateway)
            let probe = "ws://127.0.0.1:\(gateway.port)/socket.io/?EIO=4&transport=websocket&sid=\(sid)"
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"

            let wrong = try ScriptedClient("ws_client", [probe, "send:hello", "wait-close"])
            try await wrong.waitForExit()
            let closed = try await wrong.waitFor("closed") { $0["closed"] != nil }
            #expect(closed["closed"] as? Int == 1000)
            #expect(closed["reason"] as? String == "upgrade not completed")
            // Still on long-polling: a POST is taken (it is refused once upgraded).
            #expect(try await gateway.post(path, body: "3").body == "ok")

            let stalled = try ScriptedClient("ws_client", [probe, "send:2probe", "recv:1", "wait-close"])
            try await stalled.waitForExit()
            #expect(stalled.received() == ["3probe"])
            #expect(stalled.lines().contains { $0["closed"] != nil })
            #expect(try await gateway.post(path, body: "40/aws-realtime,").body == "ok")
            let reply = try await gateway.get(path).body
            #expect(reply.hasPrefix("40/aws-realtime,{\"sid\":"), "\(reply)")
            #expect(try await gateway.metric("gateway_socketio_upgrades_total") == 0)
        }
    }

    @Test func webSocketOpenPacketAndWrongHeartbeatDirection() async throws {
        try await withGateway { gateway in
            let url = "ws://127.0.0.1:\(gateway.port)/socket.io/?EIO=4&transport=websocket"
            let client = try ScriptedClient(
                "ws_client", [url, "recv:1", "send:40/aws-realtime,", "recv:2", "send:2", "wait-close"])
            try await client.waitForExit()
            let received = client.received()
            #expect(received.first?.hasPrefix("0{\"sid\":") == true)
            #expect(received.first?.contains("\"upgrades\":[]") == true)
            #expect(received.dropFirst().first?.hasPrefix("40/aws-realtime,{\"sid\":") == true)
            let closed = try await client.waitFor("closed") { $0["closed"] != nil }
            #expect(closed["closed"] as? Int == 1002)
            #expect((closed["reason"] as? String)?.contains("heartbeat") == true)

            let refused = try ScriptedClient("ws_client", ["ws://127.0.0.1:\(gateway.port)/socket.io/?EIO=3&transport=websocket"])
            let refusal = try await refused.waitFor("refused") { $0["refused"] != nil }
            #expect(refusal["refused"] as? Int == 400)
        }
    }
}
