import Foundation
import Payloads
import Testing

@testable import SocketIOEmitter

/// The `@socket.io/redis-emitter` message, byte for byte: what
/// `new Emitter(redis).of("/aws-realtime").emit("aws-logs-update", payload)` publishes
/// (`socketio/socket.io-redis-emitter` `lib/broadcast-operator.ts` `emit`:
/// `notepack.encode(["emitter", {type: 2, data: [ev, payload], nsp}, {rooms: [], flags: {}, except: []}])`).
@Suite struct SocketIOEmitterMessageTests {
    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func join(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }

    static let envelope = EncodedEnvelope(
        stream: .logs, type: "logs", epoch: 7, timestamp: "1970-01-01T00:00:00.000Z", account: "1", region: "eu-west-1",
        encodedData: Array(#"[1]"#.utf8))

    /// Derived by hand, one MessagePack header per value (fixarray 0x90|n, fixmap 0x80|n, fixstr
    /// 0xa0|byte length, positive fixint):
    static let expected: [UInt8] = join(
        [0x93],  // [uid, packet, opts]: fixarray of 3
        [0xa7], ascii("emitter"),  // uid "emitter": 7 bytes
        [0x83],  // packet {type, data, nsp}: fixmap of 3
        [0xa4], ascii("type"), [0x02],  // type: 2 (PacketType.EVENT)
        [0xa4], ascii("data"), [0x92],  // data: [event, payload]
        [0xaf], ascii("aws-logs-update"),  // 15 bytes
        [0x86],  // payload {timestamp, data, type, account, region, id}
        [0xa9], ascii("timestamp"), [0xb8], ascii("1970-01-01T00:00:00.000Z"),  // 24 bytes
        [0xa4], ascii("data"), [0x91, 0x01],  // [1]
        [0xa4], ascii("type"), [0xa4], ascii("logs"),
        [0xa7], ascii("account"), [0xa1], ascii("1"),
        [0xa6], ascii("region"), [0xa9], ascii("eu-west-1"),
        [0xa2], ascii("id"), [0xaf], ascii("1795737600000-0"),  // 15 bytes
        [0xa3], ascii("nsp"), [0xad], ascii("/aws-realtime"),  // 13 bytes
        [0x83],  // opts {rooms, flags, except}
        [0xa5], ascii("rooms"), [0x90],  // []
        [0xa5], ascii("flags"), [0x80],  // {}
        [0xa6], ascii("except"), [0x90],  // []
    )

    @Test func anUpdateIsTheEmittersMessage() throws {
        let message = try SocketIOEmitterMessage(envelope: Self.envelope, stream: .logs, namespace: "/aws-realtime")
        #expect(message.withID("1795737600000-0") == Self.expected)
        // The script's splice: prefix, msgpack string of the id, suffix.
        #expect(message.prefix == Array(Self.expected.prefix(message.prefix.count)))
        #expect(message.suffix == Array(Self.expected.suffix(message.suffix.count)))
        #expect(message.prefix.count + 1 + 15 + message.suffix.count == Self.expected.count)
    }

    @Test func itDecodesToTheEmittersStructure() throws {
        let message = try SocketIOEmitterMessage(envelope: Self.envelope, stream: .logs, namespace: "/aws-realtime")
        let decoded = try MessagePackTestDecoder.decode(message.withID("1-0"))
        #expect(
            decoded
                == .array([
                    .string("emitter"),
                    .map([
                        .init("type", .int(2)),
                        .init(
                            "data",
                            .array([
                                .string("aws-logs-update"),
                                .map([
                                    .init("timestamp", .string("1970-01-01T00:00:00.000Z")), .init("data", .array([.int(1)])),
                                    .init("type", .string("logs")), .init("account", .string("1")),
                                    .init("region", .string("eu-west-1")), .init("id", .string("1-0")),
                                ]),
                            ])),
                        .init("nsp", .string("/aws-realtime")),
                    ]),
                    .map([.init("rooms", .array([])), .init("flags", .map([])), .init("except", .array([]))]),
                ]))
    }

    @Test func aLongIDIsAStr8() throws {
        // The longest stream id, 20 + 1 + 20 = 41 bytes, needs str 8: 0xd9 0x29.
        let message = try SocketIOEmitterMessage(envelope: Self.envelope, stream: .logs, namespace: "/x")
        let id = "18446744073709551615-18446744073709551615"
        #expect(message.withID(id) == Self.join(message.prefix, [0xd9, 0x29], Self.ascii(id), message.suffix))
    }

    @Test func dataOfTheWorkersEnvelopeIsConvertedFaithfully() throws {
        struct Sample: Codable, Sendable {
            var name = "naïve"
            var count = 300
            var ratio = 0.25
            var negative = -40_000
            var flags = [true, false]
            var nothing: String? = nil
            var nested = ["k": [String]()]
        }
        let envelope = try EncodedEnvelope(
            Envelope(
                stream: .metrics, type: "metrics", epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1",
                region: "eu-west-1", data: Sample()))
        let message = try SocketIOEmitterMessage(envelope: envelope, stream: .metrics, namespace: "/aws-realtime")
        let decoded = try MessagePackTestDecoder.decode(message.withID("5-1"))
        guard case .array(let parts) = decoded, parts.count == 3, case .array(let event)? = parts[1]["data"] else {
            Issue.record("not an emitter message: \(decoded)")
            return
        }
        #expect(event.first == .string("aws-metrics-update"))
        // EncodedEnvelope sorts keys; the map keeps that order. `nothing` is left out by JSONEncoder.
        #expect(
            event.last?["data"]
                == .map([
                    .init("count", .int(300)), .init("flags", .array([.bool(true), .bool(false)])),
                    .init("name", .string("naïve")), .init("negative", .int(-40_000)),
                    .init("nested", .map([.init("k", .array([]))])), .init("ratio", .double(0.25)),
                ]))
        #expect(event.last?["id"] == .string("5-1"))
        #expect(event.last?["type"] == .string("metrics"))
    }

    /// A `stream-state` envelope is `<stream>-state`, never `<stream>-update`: old front ends
    /// listen to `-update` only and would render it as data.
    @Test func aStreamStateIsEmittedAsTheStateEvent() throws {
        let state = StreamStateData(
            state: "unavailable", since: "1970-01-01T00:00:00.000Z", operation: "DescribeEvents",
            code: "SubscriptionRequiredException", message: "no plan", retryAt: "1970-01-01T01:00:00.000Z")
        let envelope = try EncodedEnvelope(
            Envelope(
                stream: .health, type: StreamStateData.type, epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1",
                region: "eu-west-1", data: state))
        let message = try SocketIOEmitterMessage(envelope: envelope, stream: .health, namespace: "/aws-realtime")
        let decoded = try MessagePackTestDecoder.decode(message.withID("5-2"))
        guard case .array(let parts) = decoded, parts.count == 3, case .array(let event)? = parts[1]["data"] else {
            Issue.record("not an emitter message: \(decoded)")
            return
        }
        #expect(event.first == .string("aws-health-state"))
        #expect(event.last?["type"] == .string("stream-state"))
        #expect(event.last?["data"]?["code"] == .string("SubscriptionRequiredException"))
        #expect(event.last?["id"] == .string("5-2"))
        // Data of any other type keeps its `-update`.
        #expect(SocketIOEmitterMessage.event(stream: .health, type: .string("health")) == "aws-health-update")
        #expect(SocketIOEmitterMessage.event(stream: .health, type: .null) == "aws-health-update")
    }

    @Test func theChannelIsKeyNamespace() {
        #expect(SocketIOEmitterConfiguration.enabled().channel == "socket.io#/aws-realtime#")
        #expect(SocketIOEmitterConfiguration.enabled(key: "app", namespace: "/x").channel == "app#/x#")
        #expect(!SocketIOEmitterConfiguration.disabled.isEnabled)
    }
}
