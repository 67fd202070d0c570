import Bus
import Foundation
import Gateway
import Payloads
import Synchronization
import TestSupport
import Testing

/// The WebSocket protocol end to end, with the PyPI `websockets` client on 127.0.0.1.
@Suite(.serialized, .tags(.integration))
struct WebSocketRelayTests {
    @Test func subscribeGetsSnapshotThenRelaysInOrderThenUnsubscribes() async throws {
        try await withGateway { gateway in
            let before = try await gateway.publish(3)
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "send:{\"op\":\"ping\"}", "until:pong",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "ids:50",
                    "send:{\"op\":\"unsubscribe\",\"stream\":\"aws-metrics\"}", "until:unsubscribed",
                ])
            let subscribed = try await client.waitFor("subscribed") {
                ($0["recv"] as? String)?.contains("\"op\":\"subscribed\"") == true
            }
            let text = try #require(subscribed["recv"] as? String)
            // The snapshot is the latest envelope, spliced in byte for byte.
            let latest = try #require(try await gateway.bus.makeSubscriber().latest(of: .metrics))
            #expect(text.contains(String(buffer: latest.envelope)))
            #expect(text.contains("\"id\":\"\(before[2])\""))
            #expect(try await gateway.listeners() == 1)

            let ids = try await gateway.publish(50)
            let batch = try await client.waitFor("ids") { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids.map(\.description))
            // Relayed exactly as published: the same bytes.
            let history = try await gateway.bus.makeSubscriber().history(of: .metrics, after: before[2], limit: 100)
            #expect((batch["raw"] as? [String]) == history.map { String(buffer: $0.envelope) })

            _ = try await client.waitFor("unsubscribed") { ($0["recv"] as? String)?.contains("unsubscribed") == true }
            try await gateway.eventually("bus unsubscribe") { try await gateway.listeners() == 0 }
            try await client.waitForExit()
            #expect(client.received().first == "{\"op\":\"pong\"}")
        }
    }

    @Test func badInputGetsErrorsAndOthersNoticeNothing() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxInboundFrameBytes = 1024
        try await withGateway(configuration) { gateway in
            let bystander = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "ids:20"])
            _ = try await bystander.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL,
                    "send:not json", "recv:1",
                    "send:{\"op\":\"dance\"}", "recv:1",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-nothing\"}", "recv:1",
                    "send:{\"op\":\"subscribe\"}", "recv:1",
                    "send:{\"op\":\"unsubscribe\",\"stream\":\"aws-costs\"}", "recv:1",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\",\"since\":\"yesterday\"}", "recv:1",
                    "big:5000", "wait-close",
                ])
            try await client.waitForExit()
            let errors = client.received().map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            #expect(
                errors.map { $0?["code"] as? String } == [
                    "bad-json", "unknown-op", "unknown-stream", "bad-request", "not-subscribed", "bad-request",
                ])
            #expect(errors.allSatisfy { $0?["op"] as? String == "error" && ($0?["message"] as? String)?.isEmpty == false })
            let closed = try await client.waitFor("close") { $0["closed"] != nil }
            #expect(closed["closed"] as? Int == 1009)

            let ids = try await gateway.publish(20)
            let batch = try await bystander.waitFor("ids") { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids.map(\.description))
            #expect(try await gateway.metric("gateway_client_errors_total") == 6)
        }
    }

    @Test func busSubscriptionFollowsLocalDemand() async throws {
        try await withGateway { gateway in
            #expect(try await gateway.listeners() == 0)
            let first = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "sleep:1.5"])
            _ = try await first.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            #expect(try await gateway.listeners() == 1)
            let second = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "sleep:3",
                    "send:{\"op\":\"unsubscribe\",\"stream\":\"aws-metrics\"}", "until:unsubscribed", "sleep:1",
                ])
            _ = try await second.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            #expect(try await gateway.listeners() == 1)
            try await first.waitForExit()
            // The first left; the second still watches.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await gateway.listeners() == 1)
            _ = try await second.waitFor("unsubscribed") { ($0["recv"] as? String)?.contains("unsubscribed") == true }
            try await gateway.eventually("no listener") { try await gateway.listeners() == 0 }
            try await second.waitForExit()
        }
    }

    @Test func resumeWithSinceAndResyncWhenTooOld() async throws {
        try await withGateway(bus: .init(historyLength: 20)) { gateway in
            let ids = try await gateway.publish(15)
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\",\"since\":\"\(ids[9])\"}",
                    "recv:1", "ids:5",
                ])
            try await client.waitForExit()
            #expect(client.received().first == "{\"op\":\"subscribed\",\"stream\":\"aws-metrics\",\"snapshot\":null}")
            let batch = try await client.waitFor("ids") { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids[10...].map(\.description))

            // History keeps 20: the first of 35 is gone.
            let more = try await gateway.publish(20)
            let late = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\",\"since\":\"\(ids[0])\"}",
                    "recv:2",
                ])
            try await late.waitForExit()
            let received = late.received()
            #expect(received.first?.contains("\"code\":\"resync-required\"") == true)
            #expect(received.last?.contains("\"op\":\"subscribed\"") == true)
            #expect(received.last?.contains("\"id\":\"\(more[19])\"") == true)
        }
    }

    @Test func gapIsRecoveredFromHistoryInOrderWithoutDuplicates() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxQueuedMessages = 5000
        configuration.limits.maxQueuedBytes = 16 << 20
        try await withGateway(configuration, bus: .init(historyLength: 5000, subscriberBufferSize: 2)) { gateway in
            let client = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "ids:2000"])
            _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            let ids = try await gateway.publish(2000)
            let batch = try await client.waitFor("ids", timeout: .seconds(30)) { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids.map(\.description))
            #expect(try await gateway.metric("gateway_bus_gaps_total") > 0)
            #expect(try await gateway.metric("gateway_recovered_messages_total") > 0)
        }
    }

    /// After a gap, while the history read keeps failing, the gateway says it is not ready (new
    /// clients go elsewhere) and holds live messages; once the read works, the client gets
    /// everything in order and the gateway is ready again.
    @Test func notReadyWhileAGapIsBeingRecovered() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxQueuedMessages = 1000
        try await withInterceptedGateway(configuration, bus: .init(historyLength: 1000, subscriberBufferSize: 2)) {
            gateway, subscriber in
            let client = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "ids:200"])
            _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            try await gateway.eventually("ready") { try await gateway.get("/ready").status == 200 }
            subscriber.failsHistory = true
            let ids = try await gateway.publish(200)
            try await gateway.eventually("a history read refused") { subscriber.refusedReads > 0 }
            #expect(try await gateway.get("/ready").status == 503)
            subscriber.failsHistory = false
            let batch = try await client.waitFor("ids", timeout: .seconds(30)) { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids.map(\.description))
            try await gateway.eventually("ready again") { try await gateway.get("/ready").status == 200 }
        }
    }

    @Test func silentSubscriptionIsResubscribedAndRecovered() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.busHeartbeatInterval = .milliseconds(200)
        try await withGateway(configuration) { gateway in
            let client = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "ids:5"])
            _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            try await gateway.eventually("resubscribe") { try await gateway.metric("gateway_bus_resubscribes_total") > 0 }
            let ids = try await gateway.publish(5)
            let batch = try await client.waitFor("ids") { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids.map(\.description))
        }
    }

    /// A silent stream is resubscribed: a message published while it was unsubscribed, and one
    /// that arrives live right after the new subscribe, reach the client in order (live messages
    /// wait while the hub reads back what the window missed).
    @Test(arguments: [true, false]) func resubscribeWindowLosesNothing(streamHadHistory: Bool) async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.busHeartbeatInterval = .milliseconds(200)
        try await withInterceptedGateway(configuration) { gateway, subscriber in
            // Without history, the hub has relayed nothing when the window opens: its recovery
            // must read the log from the start.
            if streamHadHistory { try await gateway.publish(1) }
            let client = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed", "ids:3"])
            _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            let published = Mutex<[BusMessageID]>([])
            subscriber.intercept(
                afterUnsubscribe: { _ in
                    // Not seen live: the stream is unsubscribed.
                    if let ids = try? await gateway.publish(1) { published.withLock { $0 += ids } }
                },
                afterSubscribe: { _ in
                    // Seen live at once, before the hub's history read.
                    if let ids = try? await gateway.publish(1) { published.withLock { $0 += ids } }
                    try? await Task.sleep(for: .milliseconds(100))
                })
            try await gateway.eventually("resubscribed") { try await gateway.metric("gateway_bus_resubscribes_total") > 0 }
            try await gateway.eventually("both published") { published.withLock { $0.count } == 2 }
            let last = try await gateway.publish(1)
            let batch = try await client.waitFor("ids", timeout: .seconds(15)) { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == (published.withLock { $0 } + last).map(\.description))
        }
    }

    @Test func slowClientIsCutWhileFastOnesKeepReceiving() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxQueuedMessages = 256
        configuration.limits.maxQueuedBytes = 1 << 20
        let count = 3000
        try await withGateway(configuration, bus: .init(historyLength: 5000, subscriberBufferSize: 8192)) { gateway in
            let fast = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed",
                    "ids:\(count)",
                ])
            _ = try await fast.waitFor("subscribed") { ($0["recv"] as? String)?.contains("subscribed") == true }
            let slow = try ScriptedClient("slow_client", ["127.0.0.1", String(gateway.port)])
            _ = try await slow.waitFor("slow subscribed") { $0["subscribed"] != nil }
            try await gateway.eventually("two subscriptions") {
                try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 2
            }
            // In batches with a breath between: a burst far beyond the queue limit could cut a
            // reading client too, on two cores, before its event loop gets to write.
            var ids: [BusMessageID] = []
            while ids.count < count {
                ids += try await gateway.publish(100, padding: 4000)
                try await Task.sleep(for: .milliseconds(20))
            }
            let batch = try await fast.waitFor("ids", timeout: .seconds(60)) { $0["ids"] != nil }
            #expect((batch["ids"] as? [String]) == ids.map(\.description))
            try await gateway.eventually("slow client cut") {
                try await gateway.metric("gateway_slow_client_disconnects_total") == 1
            }
            slow.release()
            let result = try await slow.waitFor("eof", timeout: .seconds(30)) { $0["eof"] != nil }
            #expect(result["eof"] as? Bool == true)
            // It got far less than everything: it was cut, not served slowly.
            #expect((result["bytes"] as? Int ?? 0) < count * 4000)
        }
    }

    @Test func gracefulShutdownClosesWithGoingAway() async throws {
        let shutdown = try await withGatewayShutdown()
        let closed = try await shutdown.client.waitFor("closed") { $0["closed"] != nil }
        #expect(closed["closed"] as? Int == 1001)
        #expect(closed["reason"] as? String == "going away")
    }

    /// A connection that never sends a request (browsers open spare ones) is closed when the
    /// drain begins: it does not hold the shutdown until the client gives up on it.
    @Test func gracefulShutdownDoesNotWaitForAnIdleConnection() async throws {
        let shutdown = try await withGatewayShutdown(idleConnection: true)
        print("graceful shutdown with an idle connection took \(shutdown.duration)")
        #expect(shutdown.stoppedInTime)
        #expect(shutdown.duration < .seconds(3))
        #expect(shutdown.closedIdleConnection == true)
        let closed = try await shutdown.client.waitFor("closed") { $0["closed"] != nil }
        #expect(closed["closed"] as? Int == 1001)
    }
}
