import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// Every connection object is released once its client is gone, whatever the protocol and however
/// it left: no retain cycle between a socket's channel handler, its connection, its Socket.IO
/// session, their timers and close callbacks (`gateway_connection_objects` counts the objects
/// alive).
@Suite(.serialized, .tags(.integration))
struct ConnectionReleaseTests {
    @Test func connectionsAreReleasedAfterTheirClientsLeave() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.sseHeartbeatInterval = .milliseconds(200)
        try await withGateway(configuration) { gateway in
            try await gateway.publish(1)
            let subscribe = "{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}"
            let socketIO = "ws://127.0.0.1:\(gateway.port)/socket.io/?EIO=4&transport=websocket"
            var clients: [ScriptedClient] = []
            for index in 0..<8 {
                // Closing politely, and resetting right after a subscribe.
                let steps =
                    index.isMultiple(of: 2)
                    ? ["send:\(subscribe)", "recv:1", "close:1000", "read:2"] : ["send:\(subscribe)", "drop"]
                clients.append(try ScriptedClient("raw_ws_client", ["127.0.0.1", String(gateway.port)] + steps))
                clients.append(
                    try ScriptedClient(
                        "ws_client",
                        [
                            socketIO, "recv:1", "send:40/aws-realtime,", "recv:2",
                            "send:42/aws-realtime,[\"subscribe-aws-metrics\"]", "recv:2",
                        ]))
            }
            // A long-polling session that joins, then closes itself ("1").
            let (_, open) = try await gateway.get("/socket.io/?EIO=4&transport=polling")
            let sid = try #require(
                (try JSONSerialization.jsonObject(with: Data(open.dropFirst().utf8)) as? [String: Any])?["sid"] as? String)
            #expect(
                try await gateway.post("/socket.io/?EIO=4&transport=polling&sid=\(sid)", body: "40/aws-realtime,").body == "ok")
            _ = try await gateway.get("/socket.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(try await gateway.post("/socket.io/?EIO=4&transport=polling&sid=\(sid)", body: "1").body == "ok")
            let sse = try await runProcess(
                "/usr/bin/curl", ["-sN", "--max-time", "1", "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics"])
            #expect(sse.contains("event: aws-metrics"))
            for client in clients { try await client.waitForExit() }
            #expect(clients.allSatisfy { $0.lines().first?["open"] != nil })

            try await gateway.eventually("every connection closed and released") {
                var open = 0
                for name in ["websocket", "sse", "socketio"] {
                    open += try await gateway.metric("gateway_connections{protocol=\"\(name)\"}")
                }
                let objects = try await gateway.metric("gateway_connection_objects")
                return open == 0 && objects == 0
            }
            #expect(try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 0)
        }
    }
}
