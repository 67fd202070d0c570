import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// SSE with curl on 127.0.0.1.
@Suite(.serialized, .tags(.integration))
struct ServerSentEventsTests {
    /// The position of `stream` an SSE event id carries (`aws-metrics:1-0,aws-logs:2-0`).
    static func position(of stream: StreamName, in id: String?) -> String? {
        for part in (id ?? "").split(separator: ",") {
            let pair = part.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0] == stream.rawValue { return String(pair[1]) }
        }
        return nil
    }

    @Test func resumesWithLastEventIDThenRelaysLiveWithHeartbeats() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.sseHeartbeatInterval = .milliseconds(500)
        try await withGateway(configuration) { gateway in
            // aws-costs has an entry before the resume id: nothing to resume there.
            try await gateway.publish(1, to: .costs)
            let before = try await gateway.publish(5)
            async let output = runProcess(
                "/usr/bin/curl",
                [
                    "-sN", "--max-time", "4", "-H", "Last-Event-ID: \(before[1])",
                    "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics,aws-costs",
                ])
            try await gateway.eventually("SSE subscribed") {
                let metrics = try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}")
                let costs = try await gateway.metric("gateway_subscriptions{stream=\"aws-costs\"}")
                return metrics == 1 && costs == 1
            }
            let live = try await gateway.publish(3)
            let costs = try await gateway.publish(1, to: .costs)
            let text = try await output
            let events = ServerSentEventsText.events(text)
            let metrics = events.filter { $0.event == "aws-metrics" }
            #expect(metrics.map { Self.position(of: .metrics, in: $0.id) } == (Array(before[2...]) + live).map(\.description))
            let history = try await gateway.bus.makeSubscriber().history(of: .metrics, after: before[1], limit: 100)
            #expect(metrics.map(\.data) == history.map { String(buffer: $0.envelope) })
            // The old single-id Last-Event-ID serves every stream of the request (ids are
            // time-ordered across streams); the events' ids carry each stream's position.
            #expect(
                events.filter { $0.event == "aws-costs" }.map { Self.position(of: .costs, in: $0.id) } == costs.map(\.description)
            )
            #expect(events.allSatisfy { $0.id.map { $0.hasPrefix("aws-metrics:") && $0.contains(",aws-costs:") } ?? true })
            #expect(text.contains(": heartbeat"))
            #expect(text.hasPrefix(": connected"))
        }
    }

    @Test func snapshotWithoutResumeAndBadRequests() async throws {
        try await withGateway { gateway in
            let ids = try await gateway.publish(3)
            let text = try await runProcess(
                "/usr/bin/curl", ["-sN", "--max-time", "2", "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics"])
            #expect(ServerSentEventsText.events(text).map(\.id) == ["aws-metrics:\(ids[2])"])
            #expect(try await gateway.get("/events?streams=aws-nothing").status == 400)
            #expect(try await gateway.get("/events").status == 400)
            #expect(try await gateway.get("/events?streams=aws-metrics&since=yesterday").status == 400)
        }
    }

    @Test func healthReadyAndMetrics() async throws {
        try await withGateway { gateway in
            #expect(try await gateway.get("/health").status == 200)
            try await gateway.eventually("ready") { try await gateway.get("/ready").status == 200 }
            let (status, body) = try await gateway.get("/metrics")
            #expect(status == 200)
            for name in [
                "gateway_connections", "gateway_subscriptions", "gateway_messages_relayed_total", "gateway_delivered_bytes_total",
                "gateway_slow_client_disconnects_total", "gateway_auth_failures_total", "gateway_bus_gaps_total",
                "gateway_bus_resubscribes_total",
            ] {
                #expect(body.contains("# TYPE \(name) "), "\(name)")
            }
        }
    }

    /// A kept-alive connection idle after its response is closed after `keepAliveIdleTimeout`;
    /// an SSE stream, a response in progress, is not idle however long it lasts.
    @Test func keptAliveConnectionsCloseWhenIdleButStreamsDoNot() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.keepAliveIdleTimeout = .milliseconds(500)
        configuration.sseHeartbeatInterval = .seconds(30)
        try await withGateway(configuration) { gateway in
            let idle = try ScriptedClient("keepalive_client", ["127.0.0.1", String(gateway.port), "/health", "5"])
            let stream = try ScriptedClient(
                "keepalive_client", ["127.0.0.1", String(gateway.port), "/events?streams=aws-metrics", "4"])
            try await gateway.eventually("SSE subscribed") {
                try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 1
            }
            try await idle.waitForExit()
            let health = try #require(idle.lines().first)
            #expect(health["status"] as? Int == 200)
            let closedAfter = try #require(health["eof_after"] as? Double, "the idle connection was not closed")
            #expect(closedAfter >= 0.45 && closedAfter < 3)

            // Well past the idle timeout, the stream still delivers.
            try await Task.sleep(for: .milliseconds(1500))
            let ids = try await gateway.publish(1)
            try await stream.waitForExit()
            let events = try #require(stream.lines().first)
            #expect(events["status"] as? Int == 200)
            #expect(events["eof_after"] is NSNull)
            // The body is chunked: look for the event's id line.
            #expect((events["text"] as? String)?.contains("id: aws-metrics:\(ids[0])\n") == true)
        }
    }
}
