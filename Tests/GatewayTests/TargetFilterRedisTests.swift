import Bus
import Foundation
import Gateway
import Payloads
import Redis
import TestSupport
import Testing

/// Issue 17 on the production path: a gateway on a real `redis-server` that is killed and
/// restarted while envelopes of two accounts x two regions are published; what is published while
/// the gateway's pub/sub connection is down reaches clients only through the history read back
/// after the reconnect, and that read goes through each client's token and filter like live ones.
@Suite(.serialized, .timeLimit(.minutes(3)), .tags(.integration))
struct TargetFilterRedisTests {
    static let targets = TargetFilterDeliveryTests.targets

    /// One envelope per target; their ids in order, with the target of each.
    static func publish(
        _ gateway: RedisRunningGateway, _ targets: [(String, String)], marker: String = ""
    ) async throws -> [(id: BusMessageID, account: String, region: String)] {
        var published: [(id: BusMessageID, account: String, region: String)] = []
        for (index, (account, region)) in targets.enumerated() {
            let envelope = Envelope(
                stream: .metrics, type: StreamName.metrics.dataType, epoch: 1, timestamp: Date(), account: account,
                region: region, data: RunningGateway.Sample(seq: index, pad: marker))
            switch try await gateway.publisher.publish(
                try EncodedEnvelope(envelope), to: .metrics, cursor: nil, token: RedisRunningGateway.token)
            {
            case .published(let id): published.append((id, account, region))
            case .fenced: throw HarnessError(message: "publish fenced")
            }
        }
        return published
    }

    /// Publishes `targets`, retrying the whole round while Redis does not take it.
    static func publishWhenUp(_ gateway: RedisRunningGateway, _ targets: [(String, String)], marker: String = "")
        async throws -> [(id: BusMessageID, account: String, region: String)]
    {
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        while true {
            do {
                return try await publish(gateway, targets, marker: marker)
            } catch let error as HarnessError {
                throw error
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func theHistoryReadBackAfterARedisRestartIsFiltered() async throws {
        let configuration = TargetFilterDeliveryTests.configuration
        // The gateway comes back 2 s after Redis does: the round published in between is read back.
        let reconnect = RedisConfiguration.Reconnect(initialDelay: .seconds(2), maxDelay: .seconds(2), multiplier: 1, jitter: 0)
        try await withRedisGateway(configuration, gatewayReconnect: reconnect) { gateway in
            try await gateway.eventually("/ready 200 at start") { try await gateway.get("/ready").status == 200 }
            let a1 = TargetFilterDeliveryTests.a1
            let marker = "the-end"
            let accountOne = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL + "?token=" + (try await TargetFilterDeliveryTests.token(accounts: [a1])),
                    TargetFilterDeliveryTests.subscribe(), "until:subscribed", "stream-until:\(marker)",
                ])
            let europe = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL + "?token=" + (try await TargetFilterDeliveryTests.token()),
                    TargetFilterDeliveryTests.subscribe(#","regions":["eu-west-1"]"#), "until:subscribed",
                    "stream-until:\(marker)",
                ])
            for client in [accountOne, europe] {
                _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("\"subscribed\"") ?? false }
            }
            var published = try await Self.publish(gateway, Self.targets)

            await gateway.server.kill()
            try await gateway.eventually("/ready 503 while Redis is down") { try await gateway.get("/ready").status == 503 }
            try await gateway.server.start()
            // Stored while the gateway's subscription is still down: only the read back delivers these.
            published += try await Self.publishWhenUp(gateway, Self.targets + [(a1, "global")])
            #expect(try await gateway.get("/ready").status == 503)
            try await gateway.eventually("/ready 200 once resubscribed") { try await gateway.get("/ready").status == 200 }
            published += try await Self.publishWhenUp(gateway, [(a1, "eu-west-1")], marker: marker)

            for client in [accountOne, europe] {
                _ = try await client.waitFor("the marker", timeout: .seconds(30)) {
                    ($0["recv"] as? String)?.contains(marker) == true
                }
            }
            func envelopeIDs(_ client: ScriptedClient) -> [String] {
                client.received().compactMap { text in
                    let object = TargetFilterDeliveryTests.json(text)
                    return object["op"] == nil ? object["id"] as? String : nil
                }
            }
            #expect(envelopeIDs(accountOne) == published.filter { $0.account == a1 }.map(\.id.description))
            #expect(
                envelopeIDs(europe)
                    == published.filter { $0.region == "eu-west-1" || $0.region == "global" }.map(\.id.description))
        }
    }
}
