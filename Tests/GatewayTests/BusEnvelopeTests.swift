import Bus
import Foundation
import Gateway
import Payloads
import Redis
import TestSupport
import Testing

/// Envelopes on the bus's channels are read as JSON wherever their whitespace falls; what
/// cannot be read is counted by reason in `/metrics` (and logged, rate-limited).
@Suite(.serialized, .tags(.integration))
struct BusEnvelopeTests {
    @Test func anEnvelopeWithSpacesIsRelayedAndWhatIsUnreadableIsCounted() async throws {
        let reconnect = RedisConfiguration.Reconnect(
            initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), multiplier: 2, jitter: 0.2)
        try await withRedisGateway(gatewayReconnect: reconnect) { gateway in
            let first = try await gateway.publish(seq: 0)
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed",
                    "recv:1",
                ])
            _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("\"op\":\"subscribed\"") == true }
            let keys = RedisRunningGateway.keys
            let redis = gateway.publisherClient
            // Unreadable ones first: each is dropped, and the readable one after them still comes.
            _ = try await redis.publish("not json at all", to: keys.channel(.metrics))
            _ = try await redis.publish(#"{"v": 1, "stream": "aws-metrics"}"#, to: keys.channel(.metrics))
            // Stored and published as a publisher of its own might write it: spaces after colons.
            let id = BusMessageID(milliseconds: first.milliseconds + 1, sequence: 0)
            let spaced =
                #"{"v": 1, "stream": "aws-metrics", "type": "metrics", "id": "\#(id)", "epoch": 1, "data": {"seq": 1}}"#
            _ = try await redis.send(["XADD", keys.log(.metrics), id.description, "e", spaced])
            _ = try await redis.publish(spaced, to: keys.channel(.metrics))
            try await client.waitForExit()
            #expect(client.received().last == spaced)
            try await gateway.eventually("drops counted") {
                let notJSON = try await gateway.metric("gateway_bus_messages_dropped_total{reason=\"not-json\"}")
                let missingID = try await gateway.metric("gateway_bus_messages_dropped_total{reason=\"missing-id\"}")
                return notJSON == 1 && missingID == 1
            }
            #expect(try await gateway.metric("gateway_bus_messages_dropped_total{reason=\"bad-id\"}") == 0)
        }
    }
}
