import Bus
import Foundation
import Gateway
import Payloads
import Redis
import TestSupport
import Testing

/// `stream-state` envelopes through every protocol: a new subscriber of a stream whose history
/// ends with one gets the last data and the state; resume and live delivery carry states in
/// order like data; Socket.IO clients get them as `<stream>-state`, never as `<stream>-update`.
@Suite(.serialized, .tags(.integration))
struct StreamStateDeliveryTests {
    static let degraded = StreamStateData(
        state: "degraded", since: "2026-11-27T11:00:00.000Z", operation: "DescribeEvents", code: "ThrottlingException",
        message: "Rate exceeded")
    static let live = StreamStateData(state: "live", since: "2026-11-27T13:00:00.000Z")

    /// aws-health's history: two data envelopes, degraded, unavailable.
    struct History {
        var data: [BusMessageID]
        var degraded: BusMessageID
        var unavailable: BusMessageID
    }

    static func publishHistory(_ gateway: RunningGateway) async throws -> History {
        let data = try await gateway.publish(2, to: .health)
        let degraded = try await gateway.publish(state: Self.degraded, to: .health)
        let unavailable = try await gateway.publish(state: EncodedEnvelope.unavailableHealth, to: .health)
        return History(data: data, degraded: degraded, unavailable: unavailable)
    }

    /// The stored envelope of `id`, as text.
    static func stored(_ gateway: RunningGateway, _ id: BusMessageID) async throws -> String {
        let entries = try await gateway.bus.makeSubscriber().history(of: .health, after: nil, limit: 1000)
        let entry = try #require(entries.first { $0.id == id })
        return String(buffer: entry.envelope)
    }

    static func subscribe(_ stream: StreamName = .health, since: BusMessageID? = nil) -> String {
        let since = since.map { ",\"since\":\"\($0)\"" } ?? ""
        return "send:{\"op\":\"subscribe\",\"stream\":\"\(stream.rawValue)\"\(since)}"
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    // MARK: /ws

    @Test func aWebSocketSubscriberGetsTheLastDataThenTheState() async throws {
        try await withGateway { gateway in
            let history = try await Self.publishHistory(gateway)
            let client = try ScriptedClient("ws_client", [gateway.webSocketURL, Self.subscribe(), "recv:2", "ids:2"])
            try await gateway.eventually("subscribed") { client.received().count == 2 }
            let received = client.received()
            // `subscribed` keeps its shape: `snapshot` is the latest data, byte for byte...
            let expectedSubscribed = "{\"op\":\"subscribed\",\"stream\":\"aws-health\",\"snapshot\":"
            #expect(received[0] == expectedSubscribed + (try await Self.stored(gateway, history.data[1])) + "}")
            // ...and the state follows as an envelope, as it came live (the older degraded one is superseded).
            #expect(received[1] == (try await Self.stored(gateway, history.unavailable)))
            // Live: the recovery's state, then new data, in order.
            let recovered = try await gateway.publish(state: Self.live, to: .health)
            let fresh = try await gateway.publish(1, to: .health)
            let batch = try await client.waitFor("ids") { $0["ids"] != nil || $0["timeout"] != nil }
            #expect((batch["ids"] as? [String]) == [recovered.description, fresh[0].description])
        }
    }

    @Test func aWebSocketResumeCarriesTheStatesInOrderWithTheData() async throws {
        try await withGateway { gateway in
            let history = try await Self.publishHistory(gateway)
            let client = try ScriptedClient(
                "ws_client", [gateway.webSocketURL, Self.subscribe(since: history.data[0]), "until:subscribed", "ids:3"])
            let batch = try await client.waitFor("ids") { $0["ids"] != nil || $0["timeout"] != nil }
            #expect(client.received().first == "{\"op\":\"subscribed\",\"stream\":\"aws-health\",\"snapshot\":null}")
            #expect((batch["ids"] as? [String]) == [history.data[1], history.degraded, history.unavailable].map(\.description))
        }
    }

    /// A stream that never delivered (AWS Health without a support plan from the first poll):
    /// no data, and the state right after `subscribed`, instead of waiting for ever.
    @Test func aStreamThatNeverDeliveredSendsItsStateAlone() async throws {
        try await withGateway { gateway in
            let state = try await gateway.publish(state: EncodedEnvelope.unavailableHealth, to: .health)
            let client = try ScriptedClient("ws_client", [gateway.webSocketURL, Self.subscribe(), "recv:2"])
            _ = try await client.waitFor("done") { $0["done"] != nil || $0["timeout"] != nil }
            let received = client.received()
            #expect(received.first == "{\"op\":\"subscribed\",\"stream\":\"aws-health\",\"snapshot\":null}")
            #expect(received.last == (try await Self.stored(gateway, state)))
        }
    }

    /// A resume too long for `maxResumeMessages` starts again from the snapshot: the last data and the state.
    @Test func aResyncAfterATooLongResumeSendsTheDataAndTheState() async throws {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configuration.limits.maxResumeMessages = 5
        try await withGateway(configuration) { gateway in
            let data = try await gateway.publish(20, to: .health)
            let state = try await gateway.publish(state: EncodedEnvelope.unavailableHealth, to: .health)
            let client = try ScriptedClient(
                "ws_client", [gateway.webSocketURL, Self.subscribe(since: data[0]), "until:resync-required", "ids:2"])
            let batch = try await client.waitFor("ids") { $0["ids"] != nil || $0["timeout"] != nil }
            #expect((batch["ids"] as? [String]) == [data[19].description, state.description])
        }
    }

    // MARK: SSE

    @Test func serverSentEventsSendTheLastDataThenTheStateAsItsOwnEvent() async throws {
        try await withGateway { gateway in
            let history = try await Self.publishHistory(gateway)
            let text = try await runProcess(
                "/usr/bin/curl", ["-sN", "--max-time", "2", "http://127.0.0.1:\(gateway.port)/events?streams=aws-health"])
            let events = ServerSentEventsText.events(text)
            #expect(events.map(\.event) == ["aws-health", "aws-health-state"])
            #expect(events.map(\.id) == ["aws-health:\(history.data[1])", "aws-health:\(history.unavailable)"])
            #expect(events.last?.data == (try await Self.stored(gateway, history.unavailable)))
            #expect(events.first?.data == (try await Self.stored(gateway, history.data[1])))

            // A resume from the first data: the rest of the history in order, each state as a state event.
            let resumed = try await runProcess(
                "/usr/bin/curl",
                [
                    "-sN", "--max-time", "2", "-H", "Last-Event-ID: aws-health:\(history.data[0])",
                    "http://127.0.0.1:\(gateway.port)/events?streams=aws-health",
                ])
            let resumedEvents = ServerSentEventsText.events(resumed)
            #expect(resumedEvents.map(\.event) == ["aws-health", "aws-health-state", "aws-health-state"])
            #expect(
                resumedEvents.map { ServerSentEventsTests.position(of: .health, in: $0.id) }
                    == [history.data[1], history.degraded, history.unavailable].map(\.description))
        }
    }

    // MARK: Socket.IO

    private func sio(_ gateway: some GatewayEndpoint, _ arguments: [String]) throws -> ScriptedClient {
        try ScriptedClient("sio_client", ["http://127.0.0.1:\(gateway.port)", "--in-order"] + arguments)
    }

    /// Every stream event the client got, in order: (event, payload).
    private func streamEvents(_ client: ScriptedClient) -> [(event: String, payload: [String: Any])] {
        client.lines().compactMap { line in
            guard let event = line["event"] as? String, event.hasPrefix("aws-health-"),
                let payload = line["data"] as? [String: Any]
            else { return nil }
            return (event, payload)
        }
    }

    @Test func aSocketIOClientGetsTheLastUpdateThenTheStateEventAndNeverAStateAsAnUpdate() async throws {
        try await withGateway { gateway in
            let history = try await Self.publishHistory(gateway)
            let client = try sio(
                gateway,
                [
                    "--transports", "websocket", "emit:subscribe-aws-health", "wait:aws-health-state=2",
                    "wait:aws-health-update=2",
                ])
            try await gateway.eventually("the snapshot") {
                client.lines().contains { $0["event"] as? String == "aws-health-state" }
            }
            let recovered = try await gateway.publish(state: Self.live, to: .health)
            let fresh = try await gateway.publish(1, to: .health)
            try await gateway.eventually("live events") { streamEvents(client).count == 4 }
            let events = streamEvents(client)
            #expect(events.map(\.event) == ["aws-health-update", "aws-health-state", "aws-health-state", "aws-health-update"])
            #expect(
                events.compactMap { $0.payload["id"] as? String }
                    == [history.data[1], history.unavailable, recovered, fresh[0]].map(\.description))
            // The old clients' shape, for states too.
            for (_, payload) in events { #expect(Set(payload.keys) == ["timestamp", "data", "type", "id", "account", "region"]) }
            let states = events.filter { $0.event == "aws-health-state" }.map(\.payload)
            #expect(states.allSatisfy { $0["type"] as? String == "stream-state" })
            #expect((states.first?["data"] as? [String: Any])?["code"] as? String == "SubscriptionRequiredException")
            #expect((states.first?["data"] as? [String: Any])?["retryAt"] as? String == "2026-11-27T13:00:00.000Z")
            #expect(events.filter { $0.event == "aws-health-update" }.allSatisfy { $0.payload["type"] as? String == "health" })
        }
    }

    // MARK: On Redis

    /// The production path: the worker's envelopes in Redis (the snapshot read with `XREVRANGE ...
    /// COUNT`), relayed by a gateway on the Redis bus to a `/ws`, an SSE and a Socket.IO client.
    @Test func onRedisEveryProtocolGetsTheLastDataAndTheState() async throws {
        let reconnect = RedisConfiguration.Reconnect(
            initialDelay: .milliseconds(100), maxDelay: .seconds(1), multiplier: 2, jitter: 0.2)
        try await withRedisGateway(gatewayReconnect: reconnect) { gateway in
            _ = try await gateway.publish(seq: 1, to: .health)
            let last = try await gateway.publish(seq: 2, to: .health)
            _ = try await gateway.publish(state: Self.degraded, to: .health)
            let state = try await gateway.publish(state: EncodedEnvelope.unavailableHealth, to: .health)

            let ws = try ScriptedClient("ws_client", [gateway.webSocketURL, Self.subscribe(), "recv:2"])
            let sio = try sio(gateway, ["--transports", "websocket", "emit:subscribe-aws-health", "wait:aws-health-state"])
            let sse = try await runProcess(
                "/usr/bin/curl", ["-sN", "--max-time", "2", "http://127.0.0.1:\(gateway.port)/events?streams=aws-health"])

            _ = try await ws.waitFor("done") { $0["done"] != nil || $0["timeout"] != nil }
            let received = ws.received()
            try #require(received.count == 2)
            let subscribed = Self.json(received[0])
            #expect((subscribed["snapshot"] as? [String: Any])?["id"] as? String == last.description)
            #expect(Self.json(received[1])["id"] as? String == state.description)
            #expect(Self.json(received[1])["type"] as? String == "stream-state")

            let events = ServerSentEventsText.events(sse)
            #expect(events.map(\.event) == ["aws-health", "aws-health-state"])
            #expect(events.map { ServerSentEventsTests.position(of: .health, in: $0.id) } == [last, state].map(\.description))

            _ = try await sio.waitFor("done") { $0["done"] != nil }
            let sioEvents = streamEvents(sio)
            #expect(sioEvents.map(\.event) == ["aws-health-update", "aws-health-state"])
            #expect(sioEvents.compactMap { $0.payload["id"] as? String } == [last, state].map(\.description))
        }
    }
}
