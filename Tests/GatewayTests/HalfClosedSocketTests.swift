import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// A client that half-closes its connection (TCP FIN, no close frame) is gone: the gateway closes
/// the socket at once and stops counting it, instead of waiting for the next ping or heartbeat.
@Suite(.serialized, .tags(.integration))
struct HalfClosedSocketTests {
    static func halfClose(_ gateway: RunningGateway, _ mode: String, _ target: String) async throws -> [String: Any] {
        let client = try ScriptedClient("half_close_client", ["127.0.0.1", String(gateway.port), mode, target, "5"])
        try await client.waitForExit(timeout: .seconds(15))
        return try #require(client.lines().first)
    }

    /// True once `condition` holds, checked for at most a second.
    static func withinASecond(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test func aHalfClosedWebSocketIsClosedAndForgotten() async throws {
        try await withGateway { gateway in
            try await gateway.publish(1)
            let result = try await Self.halfClose(gateway, "ws", "aws-metrics")
            #expect(result["status"] as? Int == 101)
            let closedAfter = try #require(result["eof_after"] as? Double, "the half-closed socket stayed open")
            #expect(closedAfter < 1)
            #expect(
                try await Self.withinASecond {
                    let connections = try await gateway.metric("gateway_connections{protocol=\"websocket\"}")
                    let subscriptions = try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}")
                    return connections == 0 && subscriptions == 0
                })
        }
    }

    @Test func aHalfClosedServerSentEventsStreamIsClosedAndForgotten() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.sseHeartbeatInterval = .seconds(30)
        try await withGateway(configuration) { gateway in
            try await gateway.publish(1)
            let result = try await Self.halfClose(gateway, "http", "/events?streams=aws-metrics")
            #expect(result["status"] as? Int == 200)
            let closedAfter = try #require(result["eof_after"] as? Double, "the half-closed stream stayed open")
            #expect(closedAfter < 1)
            #expect(
                try await Self.withinASecond {
                    let connections = try await gateway.metric("gateway_connections{protocol=\"sse\"}")
                    let subscriptions = try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}")
                    return connections == 0 && subscriptions == 0
                })
        }
    }

    /// A short request half-closed right after it was sent is still answered.
    @Test func aShortRequestHalfClosedIsStillAnswered() async throws {
        try await withGateway { gateway in
            let result = try await Self.halfClose(gateway, "request", "/health")
            #expect(result["status"] as? Int == 200)
            #expect(result["text"] as? String == "ok\n")
            #expect(result["eof_after"] is Double)
        }
    }
}
