import Bus
import Foundation
import Gateway
import Payloads
import Redis
import Synchronization
import TestSupport
import Testing

/// The gateway on a real `redis-server` that is killed and restarted on the same port while a
/// publisher writes envelopes the way the worker does: WebSocket (`websockets`) and Socket.IO
/// (`python-socketio`) clients get every stored envelope, in order, once; `/ready` says 503
/// while the pub/sub connection is down and 200 once it is back and resubscribed.
@Suite(.serialized, .timeLimit(.minutes(3)), .tags(.integration)) struct RedisRestartTests {
    /// Publishes until told to stop, counting what Redis took and what failed.
    final class Publishing: Sendable {
        let isStopped = Atomic<Bool>(false)
        let published = Atomic<Int>(0)
        let failed = Atomic<Int>(0)

        func run(_ gateway: RedisRunningGateway) async throws {
            var seq = 0
            while !isStopped.load(ordering: .relaxed) {
                seq += 1
                do {
                    _ = try await gateway.publish(seq: seq)
                    published.add(1, ordering: .relaxed)
                } catch let error as HarnessError {
                    throw error
                } catch {
                    failed.add(1, ordering: .relaxed)
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// The id of an envelope a client printed; nil for control messages.
    static func envelopeID(_ text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], object["op"] == nil
        else { return nil }
        return object["id"] as? String
    }

    @Test func redisKilledAndRestartedMidStreamLosesNothing() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxQueuedMessages = 10_000
        configuration.limits.maxQueuedBytes = 16 << 20
        // The gateway's client and subscriber each wait 1-2 s (jittered, independently) before
        // reconnecting; Redis is back after about 0.5 s and the publisher within 0.2 s of that,
        // so what is published in between reaches the clients only through recovery from the log.
        let gatewayReconnect = RedisConfiguration.Reconnect(
            initialDelay: .seconds(2), maxDelay: .seconds(2), multiplier: 1, jitter: 0.5)
        try await withRedisGateway(configuration, gatewayReconnect: gatewayReconnect) { gateway in
            try await gateway.eventually("/ready 200 at start") { try await gateway.get("/ready").status == 200 }
            #expect(try await gateway.metric("gateway_bus_connected") == 1)
            let marker = "last-envelope"
            let subscribe = "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}"
            let webSockets = try (0..<2).map { _ in
                try ScriptedClient("ws_client", [gateway.webSocketURL, subscribe, "until:subscribed", "stream-until:\(marker)"])
            }
            let socketIO = try ScriptedClient(
                "sio_client",
                [
                    "http://127.0.0.1:\(gateway.port)", "--transports", "websocket", "--ids-only", "--in-order",
                    "emit:subscribe-aws-metrics",
                    "wait:subscription-confirmed", "sleep:120",
                ])
            defer { if socketIO.process.isRunning { socketIO.process.terminate() } }
            for client in webSockets {
                _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("\"op\":\"subscribed\"") == true }
            }
            _ = try await socketIO.waitFor("subscription-confirmed") { $0["event"] as? String == "subscription-confirmed" }
            try await gateway.eventually("three subscribers") {
                try await gateway.metric("gateway_subscriptions{stream=\"aws-metrics\"}") == 3
            }

            let clock = ContinuousClock()
            let publishing = Publishing()
            var notReadyAfter = Duration.zero
            var readyAgainAfter = Duration.zero
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await publishing.run(gateway) }
                defer { publishing.isStopped.store(true, ordering: .relaxed) }
                try await Task.sleep(for: .seconds(1))

                await gateway.server.kill()
                let down = clock.now
                try await gateway.eventually("/ready 503 while Redis is down") {
                    try await gateway.get("/ready").status == 503
                }
                notReadyAfter = clock.now - down
                #expect(try await gateway.metric("gateway_bus_connected") == 0)
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await gateway.get("/ready").status == 503)

                try await gateway.server.start()
                let up = clock.now
                try await gateway.eventually("/ready 200 once reconnected and resubscribed") {
                    try await gateway.get("/ready").status == 200
                }
                readyAgainAfter = clock.now - up
                try await Task.sleep(for: .seconds(1))
                publishing.isStopped.store(true, ordering: .relaxed)
                try await group.waitForAll()
            }

            // The last envelope marks the end for the clients; retried until Redis takes it.
            var markerID: BusMessageID?
            let deadline = clock.now.advanced(by: .seconds(10))
            while markerID == nil, clock.now < deadline {
                markerID = try? await gateway.publish(seq: -1, marker: marker)
                if markerID == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let last = try #require(markerID).description
            for client in webSockets {
                _ = try await client.waitFor("the last envelope", timeout: .seconds(60)) {
                    ($0["recv"] as? String)?.contains(marker) == true
                }
            }
            _ = try await socketIO.waitFor("the last envelope", timeout: .seconds(60)) { $0["id"] as? String == last }

            let stored = try await gateway.storedIDs().map(\.description)
            #expect(stored.last == last)
            let storedIDs = stored.compactMap(BusMessageID.init)
            #expect(storedIDs.count == stored.count)
            #expect(zip(storedIDs, storedIDs.dropFirst()).allSatisfy { $0 < $1 })
            for (index, client) in webSockets.enumerated() {
                let received = client.received().compactMap(Self.envelopeID)
                #expect(received == stored, "WebSocket client \(index): \(received.count) received, \(stored.count) stored")
            }
            let updates = socketIO.lines().filter { $0["event"] as? String == "aws-metrics-update" }.compactMap {
                $0["id"] as? String
            }
            #expect(updates == stored, "Socket.IO client: \(updates.count) received, \(stored.count) stored")

            let published = publishing.published.load(ordering: .relaxed)
            let failed = publishing.failed.load(ordering: .relaxed)
            // The outage was real: publishes failed while Redis was down, and some were stored after.
            #expect(failed > 0)
            #expect(stored.count >= published + 1)
            let gaps = try await gateway.metric("gateway_bus_gaps_total")
            let recovered = try await gateway.metric("gateway_recovered_messages_total")
            // History reads that failed and were retried (the command connection came back later).
            let busErrors = try await gateway.metric("gateway_bus_errors_total")
            #expect(gaps > 0)
            #expect(recovered > 0)
            #expect(try await gateway.metric("gateway_bus_connected") == 1)
            print(
                "redis restart: \(published) published, \(failed) failed during the outage, \(stored.count) stored, "
                    + "\(gaps) gap(s), \(recovered) recovered from the log, \(busErrors) failed bus call(s); "
                    + "/ready 503 after \(notReadyAfter), "
                    + "200 again \(readyAgainAfter) after the restart")
        }
    }
}
