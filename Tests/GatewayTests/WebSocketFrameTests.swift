import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// `/ws` at the frame level, with a hand-written client (`raw_ws_client.py`): what the session
/// handler does with pings, fragments, messages sent back to back, close frames and a client
/// that vanishes in the middle of a subscribe.
@Suite(.serialized, .tags(.integration))
struct WebSocketFrameTests {
    private func raw(_ gateway: RunningGateway, _ steps: [String]) throws -> ScriptedClient {
        try ScriptedClient("raw_ws_client", ["127.0.0.1", String(gateway.port)] + steps)
    }

    @Test func clientThatAnswersNoPingIsClosedAndOneThatAnswersStays() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.pingInterval = .milliseconds(300)
        try await withGateway(configuration) { gateway in
            // PyPI websockets answers pings on its own.
            let answering = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "sleep:1.5"])
            let silent = try raw(gateway, ["read:5"])
            try await silent.waitForExit()
            let lines = silent.lines()
            #expect(lines.filter { $0["ping"] != nil }.count == 1)
            let closed = try #require(lines.first { $0["closed"] != nil })
            #expect(closed["closed"] as? Int == 1001)
            #expect(closed["reason"] as? String == "ping timeout")
            // One interval to the ping, one more for the pong that never came.
            let after = try #require(closed["after"] as? Double)
            #expect(after >= 0.55 && after < 3)
            #expect(lines.contains { $0["eof"] != nil })

            try await answering.waitForExit()
            #expect(answering.lines().contains { $0["closed"] != nil } == false)
            #expect(answering.received().count == 1)
        }
    }

    @Test func pingIsAnsweredWithItsPayload() async throws {
        try await withGateway { gateway in
            let client = try raw(gateway, ["ping", "read:0.5"])
            try await client.waitForExit()
            #expect(client.lines().contains { $0["pong"] as? String == "hi" })
        }
    }

    @Test func fragmentedMessagesAreCollatedUpToTheLimit() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxInboundFrameBytes = 1024
        try await withGateway(configuration) { gateway in
            try await gateway.publish(1)
            let subscribe = "{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}"
            let client = try raw(gateway, ["frag:4:\(subscribe)", "recv:1"])
            try await client.waitForExit()
            #expect(client.received().first?.hasPrefix("{\"op\":\"subscribed\",\"stream\":\"aws-metrics\"") == true)

            // Each fragment is under the frame limit; the message is not.
            let big = "{\"op\":\"ping\",\"pad\":\"" + String(repeating: "x", count: 1500) + "\"}"
            let oversize = try raw(gateway, ["frag:3:\(big)", "read:5"])
            try await oversize.waitForExit()
            let closed = try #require(oversize.lines().first { $0["closed"] != nil }, "\(oversize.lines())")
            #expect(closed["closed"] as? Int == 1009)
            #expect(oversize.received().isEmpty)
        }
    }

    @Test func messagesSentBackToBackAreHandledInOrder() async throws {
        try await withGateway { gateway in
            try await gateway.publish(1)
            try await gateway.publish(1, to: .costs)
            let burst = [
                "{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "{\"op\":\"subscribe\",\"stream\":\"aws-costs\"}",
                "{\"op\":\"unsubscribe\",\"stream\":\"aws-metrics\"}", "{\"op\":\"ping\"}",
                "{\"op\":\"subscribe\",\"stream\":\"aws-costs\"}",
            ].joined(separator: "|")
            // The client stays connected (read:3) while the subscriptions are counted: a socket it
            // leaves is closed and forgotten at once.
            let client = try raw(gateway, ["burst:\(burst)", "recv:5", "read:3"])
            _ = try await client.waitFor("five replies") { _ in client.received().count >= 5 }
            let received = client.received()
            #expect(received.count == 5)
            guard received.count == 5 else { return }
            #expect(received[0].hasPrefix("{\"op\":\"subscribed\",\"stream\":\"aws-metrics\""))
            #expect(received[1].hasPrefix("{\"op\":\"subscribed\",\"stream\":\"aws-costs\""))
            #expect(received[2] == "{\"op\":\"unsubscribed\",\"stream\":\"aws-metrics\"}")
            #expect(received[3] == "{\"op\":\"pong\"}")
            #expect(received[4].contains("\"code\":\"already-subscribed\""))
            #expect(try await gateway.metric("gateway_subscriptions{stream=\"aws-costs\"}") == 1)
            #expect(try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 0)
            try await client.waitForExit()
        }
    }

    @Test func closeFrameIsEchoedAndTheConnectionForgotten() async throws {
        try await withGateway { gateway in
            let client = try raw(
                gateway, ["send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "recv:1", "close:4001", "read:5"])
            try await client.waitForExit()
            let closed = try #require(client.lines().first { $0["closed"] != nil })
            #expect(closed["closed"] as? Int == 4001)
            #expect(client.lines().contains { $0["eof"] != nil })
            try await gateway.eventually("connection forgotten") {
                let connections = try await gateway.metric("gateway_connections{protocol=\"websocket\"}")
                let subscriptions = try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}")
                return connections == 0 && subscriptions == 0
            }
        }
    }

    /// The client resets the connection right after asking to subscribe, while the subscribe
    /// waits for the bus: the hub must not keep a subscription for a socket that is gone.
    @Test func clientGoneDuringSubscribeLeavesNothingBehind() async throws {
        try await withGateway { gateway in
            for round in 0..<20 {
                let stream = StreamName.allCases[round % StreamName.allCases.count]
                let client = try raw(gateway, ["send:{\"op\":\"subscribe\",\"stream\":\"\(stream.rawValue)\"}", "drop"])
                try await client.waitForExit()
            }
            try await gateway.eventually("every connection and subscription forgotten") {
                var total = try await gateway.metric("gateway_connections{protocol=\"websocket\"}")
                for stream in StreamName.allCases {
                    total += try await gateway.metric("gateway_subscriptions{stream=\"\(stream.rawValue)\"}")
                }
                return total == 0
            }
            try await gateway.eventually("bus unsubscribed") {
                for stream in StreamName.allCases where try await gateway.listeners(stream) != 0 { return false }
                return true
            }
        }
    }
}
