import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// Issue 17 end to end: a gateway fed `aws-metrics` envelopes of two accounts x two regions (and
/// global ones), clients with different `accounts`/`regions` claims and subscribe filters on
/// `/ws`, SSE and Socket.IO (the python-socketio client), each seeing exactly what its token and
/// filter allow: the snapshot (the latest of each target it may see), resume, and live.
@Suite(.serialized, .tags(.integration))
struct TargetFilterDeliveryTests {
    static let a1 = "111111111111"
    static let a2 = "222222222222"
    static let targets = [(a1, "eu-west-1"), (a1, "us-east-1"), (a2, "eu-west-1"), (a2, "us-east-1")]

    static var configuration: GatewayConfiguration {
        GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))))
    }

    /// One envelope per `(account, region)` on `aws-metrics`; their ids in order.
    static func publish(_ gateway: RunningGateway, _ targets: [(String, String)]) async throws -> [BusMessageID] {
        var ids: [BusMessageID] = []
        for (index, (account, region)) in targets.enumerated() {
            let envelope = Envelope(
                stream: .metrics, type: StreamName.metrics.dataType, epoch: 1, timestamp: Date(), account: account,
                region: region, data: RunningGateway.Sample(seq: index, pad: "\(account)/\(region)"))
            guard
                case .published(let id) = try await gateway.bus.publish(
                    try EncodedEnvelope(envelope), to: .metrics, cursor: nil, token: RunningGateway.token)
            else { throw HarnessError(message: "publish fenced") }
            ids.append(id)
        }
        return ids
    }

    static func token(accounts: [String]? = nil, regions: [String]? = nil) async throws -> String {
        try await hs256Token(streams: ["aws-metrics"], accounts: accounts, regions: regions)
    }

    static func subscribe(_ extra: String = "") -> String {
        "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"\(extra)}"
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    static func ids(_ values: [BusMessageID]) -> [String] { values.map(\.description) }

    /// The ids of the envelopes in a `subscribed` message's `snapshots` (and its `snapshot`).
    static func snapshotIDs(_ subscribed: String) -> (snapshot: String?, snapshots: [String]?) {
        let object = json(subscribed)
        let snapshot = (object["snapshot"] as? [String: Any])?["id"] as? String
        let snapshots = (object["snapshots"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        return (snapshot, snapshots)
    }

    private func sio(_ gateway: RunningGateway, token: String, _ steps: [String]) throws -> ScriptedClient {
        try ScriptedClient(
            "sio_client",
            ["http://127.0.0.1:\(gateway.port)", "--in-order", "--transports", "websocket", "--token", token] + steps)
    }

    /// The ids of the `aws-metrics-update` events a Socket.IO client got, in order.
    private func updates(_ client: ScriptedClient) -> [String] {
        client.lines().compactMap { line in
            guard line["event"] as? String == "aws-metrics-update", let payload = line["data"] as? [String: Any] else {
                return nil
            }
            return payload["id"] as? String
        }
    }

    // MARK: /ws and Socket.IO: snapshot and live

    @Test func webSocketAndSocketIOClientsSeeExactlyTheirTargetsInTheSnapshotAndLive() async throws {
        try await withGateway(Self.configuration) { gateway in
            _ = try await Self.publish(gateway, Self.targets)
            let r2 = try await Self.publish(gateway, Self.targets)
            let url = gateway.webSocketURL + "?token="

            // Token: account 1 only; no filter.
            let accountOne = try ScriptedClient(
                "ws_client", [url + (try await Self.token(accounts: [Self.a1])), Self.subscribe(), "until:subscribed", "ids:4"])
            // Token: everything; filter: eu-west-1.
            let europe = try ScriptedClient(
                "ws_client",
                [url + (try await Self.token()), Self.subscribe(#","regions":["eu-west-1"]"#), "until:subscribed", "ids:5"])
            // Token: everything, no filter: the old client, every target.
            let everything = try ScriptedClient(
                "ws_client", [url + (try await Self.token()), Self.subscribe(), "until:subscribed", "ids:7"])
            // Socket.IO, token: account 1 in eu-west-1; the NestJS payload (no filter).
            let sioNarrow = try sio(
                gateway, token: try await Self.token(accounts: [Self.a1], regions: ["eu-west-1"]),
                ["emit:subscribe-aws-metrics={\"interval\":5000}", "wait:aws-metrics-update=4", "sleep:0.5"])
            // Socket.IO, token: everything; filter: us-east-1.
            let sioUS = try sio(
                gateway, token: try await Self.token(),
                ["emit:subscribe-aws-metrics={\"regions\":[\"us-east-1\"]}", "wait:aws-metrics-update=6", "sleep:0.5"])

            for client in [accountOne, europe, everything] {
                _ = try await client.waitFor("subscribed") { ($0["recv"] as? String)?.contains("\"subscribed\"") ?? false }
            }
            try await gateway.eventually("the Socket.IO snapshots") { updates(sioNarrow).count == 1 && updates(sioUS).count == 2 }

            // Snapshots: the latest of each target each may see.
            let one = Self.snapshotIDs(accountOne.received()[0])
            #expect(one.snapshot == r2[1].description && one.snapshots == Self.ids([r2[0], r2[1]]))
            let eu = Self.snapshotIDs(europe.received()[0])
            #expect(eu.snapshot == r2[2].description && eu.snapshots == Self.ids([r2[0], r2[2]]))
            let all = Self.snapshotIDs(everything.received()[0])
            #expect(all.snapshot == r2[3].description && all.snapshots == Self.ids(r2))
            #expect(updates(sioNarrow) == Self.ids([r2[0]]))
            #expect(updates(sioUS) == Self.ids([r2[1], r2[3]]))

            // Live: the four targets, global data of both accounts, then a marker each client may see.
            let r3 = try await Self.publish(gateway, Self.targets + [(Self.a1, "global"), (Self.a2, "global")])
            let marker = try await Self.publish(gateway, [(Self.a1, "eu-west-1")])[0]
            func live(_ client: ScriptedClient) async throws -> [String] {
                let line = try await client.waitFor("ids") { $0["ids"] != nil || $0["timeout"] != nil }
                return line["ids"] as? [String] ?? []
            }
            #expect(try await live(accountOne) == Self.ids([r3[0], r3[1], r3[4], marker]))
            #expect(try await live(europe) == Self.ids([r3[0], r3[2], r3[4], r3[5], marker]))
            #expect(try await live(everything) == Self.ids(r3 + [marker]))
            _ = try await sioNarrow.waitFor("done") { $0["done"] != nil }
            #expect(updates(sioNarrow) == Self.ids([r2[0], r3[0], r3[4], marker]))
            _ = try await sioUS.waitFor("done") { $0["done"] != nil }
            #expect(updates(sioUS) == Self.ids([r2[1], r2[3], r3[1], r3[3], r3[4], r3[5]]))
        }
    }

    @Test func aFilterBeyondTheTokenIsRefusedOnEveryProtocol() async throws {
        try await withGateway(Self.configuration) { gateway in
            let token = try await Self.token(accounts: [Self.a1], regions: ["eu-west-1"])
            let ws = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL + "?token=" + token, Self.subscribe(#","accounts":["222222222222"]"#),
                    Self.subscribe(#","regions":"us-east-1""#), Self.subscribe(#","regions":["Nowhere"]"#),
                    Self.subscribe(#","regions":["global"]"#), "recv:4",
                ])
            _ = try await ws.waitFor("done") { $0["done"] != nil || $0["timeout"] != nil }
            let replies = ws.received().map(Self.json)
            #expect(
                replies.map { $0["code"] as? String ?? $0["op"] as? String } == [
                    "forbidden", "forbidden", "bad-request", "subscribed",
                ])
            #expect((replies[0]["message"] as? String)?.contains("account 222222222222") == true)
            #expect((replies[1]["message"] as? String)?.contains("region us-east-1") == true)

            let refused = try await gateway.get("/events?streams=aws-metrics&accounts=222222222222&token=\(token)")
            #expect(refused.status == 403 && refused.body.contains("account 222222222222"))
            let bad = try await gateway.get("/events?streams=aws-metrics&regions=EU&token=\(token)")
            #expect(bad.status == 400 && bad.body.contains("regions"))

            let sio = try sio(
                gateway, token: token, ["emit:subscribe-aws-metrics={\"accounts\":[\"222222222222\"]}", "wait:error"])
            let error = try await sio.waitFor("error") { $0["event"] as? String == "error" }
            #expect((error["data"] as? [String: Any])?["code"] as? String == "forbidden")

            // A token whose claim is not a list of account ids is refused, naming the claim.
            let badToken = try await hs256Token(streams: ["*"], accounts: ["not-an-account"])
            let badClaim = try await gateway.get("/events?streams=aws-metrics&token=\(badToken)")
            #expect(badClaim.status == 401 && badClaim.body.contains("accounts claim"))
        }
    }

    // MARK: Resume

    @Test func aResumeSendsOnlyTheTargetsTheClientMaySee() async throws {
        try await withGateway(Self.configuration) { gateway in
            let r1 = try await Self.publish(gateway, Self.targets)
            let r2 = try await Self.publish(gateway, Self.targets)
            let usToken = try await Self.token(regions: ["us-east-1"])
            let ws = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL + "?token=" + usToken, Self.subscribe(",\"since\":\"\(r1[0])\""), "until:subscribed",
                    "ids:4",
                ])
            let batch = try await ws.waitFor("ids") { $0["ids"] != nil || $0["timeout"] != nil }
            #expect((batch["ids"] as? [String]) == Self.ids([r1[1], r1[3], r2[1], r2[3]]))

            // SSE: token account 2, filter eu-west-1; the snapshot, then a resume from the first entry.
            let a2Token = try await Self.token(accounts: [Self.a2])
            let path = "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics&regions=eu-west-1&token=\(a2Token)"
            let snapshot = ServerSentEventsText.events(try await runProcess("/usr/bin/curl", ["-sN", "--max-time", "2", path]))
            #expect(snapshot.map { ServerSentEventsTests.position(of: .metrics, in: $0.id) } == [r2[2].description])
            let resumed = ServerSentEventsText.events(
                try await runProcess(
                    "/usr/bin/curl", ["-sN", "--max-time", "2", "-H", "Last-Event-ID: aws-metrics:\(r1[0])", path]))
            #expect(resumed.map { ServerSentEventsTests.position(of: .metrics, in: $0.id) } == Self.ids([r1[2], r2[2]]))
            #expect(resumed.allSatisfy { $0.data.contains("\"account\":\"\(Self.a2)\"") })

            // Socket.IO `since`: token account 1, filter us-east-1.
            let sio = try sio(
                gateway, token: try await Self.token(accounts: [Self.a1]),
                [
                    "emit:subscribe-aws-metrics={\"since\":\"\(r1[0])\",\"regions\":[\"us-east-1\"]}",
                    "wait:aws-metrics-update=2", "sleep:0.5",
                ])
            _ = try await sio.waitFor("done") { $0["done"] != nil }
            #expect(updates(sio) == Self.ids([r1[1], r2[1]]))
        }
    }

    // MARK: SSE live

    @Test func aServerSentEventsClientIsSentOnlyItsTargetsLive() async throws {
        try await withGateway(Self.configuration) { gateway in
            _ = try await Self.publish(gateway, Self.targets)
            let token = try await Self.token(accounts: [Self.a1])
            let path = "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics&regions=us-east-1&token=\(token)"
            async let text = runProcess("/usr/bin/curl", ["-sN", "--max-time", "3", path])
            try await Task.sleep(for: .milliseconds(800))
            let r2 = try await Self.publish(gateway, Self.targets + [(Self.a1, "global"), (Self.a2, "global")])
            let events = ServerSentEventsText.events(try await text)
            let seen = Set(events.compactMap { ServerSentEventsTests.position(of: .metrics, in: $0.id) })
            // Whether the subscribe came before round 2 or not, the latest of account 1 in us-east-1
            // (and its global data) arrive, and nothing else.
            #expect(seen.isSuperset(of: Self.ids([r2[1], r2[4]])))
            for event in events where event.event == "aws-metrics" {
                #expect(event.data.contains("\"account\":\"\(Self.a1)\""))
                #expect(event.data.contains("\"region\":\"us-east-1\"") || event.data.contains("\"region\":\"global\""))
            }
        }
    }
}
