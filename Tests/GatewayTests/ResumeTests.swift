import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// Resuming from history at any length: fed as the socket drains, never through the queue all
/// at once, with the live messages published meanwhile after it, in order, once each.
@Suite(.serialized, .tags(.integration))
struct ResumeTests {
    static func configuration(maxResumeMessages: Int = 5000) -> GatewayConfiguration {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxQueuedMessages = 256
        configuration.limits.maxResumeMessages = maxResumeMessages
        return configuration
    }

    static func subscribe(_ stream: StreamName = .metrics, since: BusMessageID) -> String {
        "send:{\"op\":\"subscribe\",\"stream\":\"\(stream.rawValue)\",\"since\":\"\(since)\"}"
    }

    /// 2,000 messages of 2 KB (more than the loopback socket buffers take while the client does
    /// not read) through a 256-message queue, and 500 live ones published meanwhile.
    @Test func aWebSocketResumesTwoThousandMessagesAndTheLiveOnesAfterThem() async throws {
        try await withGateway(Self.configuration(), bus: .init(historyLength: 10_000)) { gateway in
            let stored = try await gateway.publish(2001, padding: 2000)
            let client = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, Self.subscribe(since: stored[0]), "until:subscribed", "sleep:1", "ids:2500"])
            _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("\"op\":\"subscribed\"") == true }
            // Published while the resume waits for the client to read.
            let live = try await gateway.publish(500, padding: 2000)
            let batch = try await client.waitFor("ids", timeout: .seconds(60)) { $0["ids"] != nil || $0["closed"] != nil }
            #expect(batch["closed"] == nil, "the client was cut: \(batch)")
            #expect((batch["ids"] as? [String]) == (stored[1...] + live).map(\.description))
            #expect(try await gateway.metric("gateway_slow_client_disconnects_total") == 0)
            #expect(try await gateway.metric("gateway_resyncs_required_total") == 0)
        }
    }

    /// Past `maxResumeMessages` the client is told to resync, gets the latest message, and goes on live.
    @Test func aResumeLongerThanTheLimitEndsInResyncThenTheLatestThenLive() async throws {
        try await withGateway(Self.configuration(maxResumeMessages: 100), bus: .init(historyLength: 1000)) { gateway in
            let stored = try await gateway.publish(300)
            let client = try ScriptedClient(
                "ws_client", [gateway.webSocketURL, Self.subscribe(since: stored[0]), "recv:103", "ids:5"])
            try await gateway.eventually("resync told") { try await gateway.metric("gateway_resyncs_required_total") == 1 }
            let live = try await gateway.publish(5)
            try await client.waitForExit()
            let received = client.received()
            try #require(received.count == 103, "\(received.count) messages")
            #expect(received[0] == "{\"op\":\"subscribed\",\"stream\":\"aws-metrics\",\"snapshot\":null}")
            #expect(received[1...100].map(Self.envelopeID) == stored[1...100].map(\.description))
            #expect(
                received[101].contains("\"code\":\"resync-required\"") && received[101].contains("\"stream\":\"aws-metrics\""))
            #expect(Self.envelopeID(received[102]) == stored[299].description)
            let batch = try await client.waitFor("ids") { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == live.map(\.description))
        }
    }

    /// The same 2,000 over SSE (the old single-id `Last-Event-ID`) to a client that reads slowly,
    /// and over Socket.IO (`since`).
    @Test func serverSentEventsResumeTwoThousandMessagesWithoutBeingCut() async throws {
        try await withGateway(Self.configuration(), bus: .init(historyLength: 10_000)) { gateway in
            let stored = try await gateway.publish(2001, padding: 2000)
            let text = try await runProcess(
                "/usr/bin/curl",
                [
                    // A client reading at 1.5 MB/s: the 4.5 MB resume outruns it.
                    "-sN", "--max-time", "8", "--limit-rate", "1500k", "-H", "Last-Event-ID: \(stored[0])",
                    "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics",
                ])
            #expect(!text.contains("event: close\n"), "the stream was closed")
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) }
            #expect(ids.count == 2000)
            #expect(ids == stored[1...].map { "aws-metrics:\($0)" })
            #expect(try await gateway.metric("gateway_slow_client_disconnects_total") == 0)
        }
    }

    @Test func socketIOResumesTwoThousandMessagesWithoutBeingCut() async throws {
        try await withGateway(Self.configuration(), bus: .init(historyLength: 10_000)) { gateway in
            let stored = try await gateway.publish(2001, padding: 500)
            let client = try ScriptedClient(
                "sio_client",
                [
                    "http://127.0.0.1:\(gateway.port)", "--ids-only", "--in-order", "--transports", "websocket",
                    "emit:subscribe-aws-metrics={\"since\":\"\(stored[0])\"}", "wait:aws-metrics-update=2000",
                ])
            try await client.waitForExit(timeout: .seconds(60))
            let ids = client.lines().filter { $0["event"] as? String == "aws-metrics-update" }.compactMap { $0["id"] as? String }
            #expect(ids == stored[1...].map(\.description))
            #expect(try await gateway.metric("gateway_slow_client_disconnects_total") == 0)
        }
    }

    static func envelopeID(_ text: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["id"] as? String
    }
}
