import Bus
import Foundation
import NIOCore
import Payloads
import Testing

@testable import Gateway

/// The Socket.IO pieces without sockets: packet parsing, the update frame, the envelope scanner.
struct SocketIOUnitTests {
    @Test func parsesPacketsAsTheReferenceDecoderDoes() throws {
        #expect(
            SocketIOPacket.parse("0") == SocketIOPacket(kind: .connect, namespace: "/", ackID: nil, attachments: 0, payload: nil))
        let connect = try #require(SocketIOPacket.parse("0/aws-realtime,{\"token\":\"t\"}"))
        #expect(connect.namespace == "/aws-realtime")
        #expect(connect.payload?["token"]?.stringValue == "t")
        // A repeated member: the last, as the JavaScript server's JSON.parse reads it.
        let repeated = try #require(SocketIOPacket.parse("0/aws-realtime,{\"token\":\"a\",\"token\":\"t\"}"))
        #expect(repeated.payload?["token"]?.stringValue == "t")
        let event = try #require(SocketIOPacket.parse("2/aws-realtime,12[\"subscribe-aws-logs\",{\"interval\":5}]"))
        #expect(event.kind == .event && event.ackID == 12)
        #expect(SocketIOPacket.parse("1/aws-realtime,")?.kind == .disconnect)
        let binary = try #require(SocketIOPacket.parse("51-/aws-realtime,[\"x\",{\"_placeholder\":true,\"num\":0}]"))
        #expect(binary.kind == .binaryEvent && binary.attachments == 1)
        // What the reference decoder refuses.
        for bad in ["", "7", "abc", "2/aws-realtime,{}", "2[]", "0[1]", "1/aws-realtime,{}", "2[\"x\"", "5[\"x\"]", "3/x,1{}"] {
            #expect(SocketIOPacket.parse(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func updateCarriesTheEnvelopeFieldsByteForByte() {
        let envelope = ByteBuffer(
            string:
                #"{"v":1,"stream":"aws-costs","type":"costs","id":"9-2","epoch":3,"timestamp":"2026-11-27T00:00:00.000Z","data":{"total":1.50,"s":"a\"}b","n":[1,{"x":null}]}}"#
        )
        let frame = SocketIOFrames.streamEvent(stream: .costs, id: BusMessageID(milliseconds: 9, sequence: 2), envelope: envelope)
        #expect(
            String(buffer: frame)
                == #"42/aws-realtime,["aws-costs-update",{"timestamp":"2026-11-27T00:00:00.000Z","data":{"total":1.50,"s":"a\"}b","n":[1,{"x":null}]},"type":"costs","id":"9-2"}]"#
        )
        // Something that is not an envelope is carried whole rather than lost.
        let odd = SocketIOFrames.streamEvent(
            stream: .logs, id: BusMessageID(milliseconds: 1, sequence: 0), envelope: ByteBuffer(string: "[1]"))
        #expect(
            String(buffer: odd) == #"42/aws-realtime,["aws-logs-update",{"timestamp":null,"data":[1],"type":"logs","id":"1-0"}]"#)
    }

    /// A `stream-state` envelope is its own event, `<stream>-state`, with the same fields (and the
    /// envelope's account and region): old clients listen to `-update` only and must not render a
    /// state as data.
    @Test func aStreamStateIsTheStateEventWithTheSameFields() {
        let envelope = ByteBuffer(
            string:
                #"{"v":1,"stream":"aws-health","type":"stream-state","id":"9-3","epoch":3,"timestamp":"2026-11-27T12:00:00.000Z","account":"1","region":"r","data":{"code":"SubscriptionRequiredException","state":"unavailable"}}"#
        )
        let frame = SocketIOFrames.streamEvent(
            stream: .health, id: BusMessageID(milliseconds: 9, sequence: 3), envelope: envelope)
        #expect(
            String(buffer: frame)
                == #"42/aws-realtime,["aws-health-state",{"timestamp":"2026-11-27T12:00:00.000Z","data":{"code":"SubscriptionRequiredException","state":"unavailable"},"type":"stream-state","account":"1","region":"r","id":"9-3"}]"#
        )
        // The prepared packet, built once per message for every Socket.IO subscriber, is the same.
        let prepared = PreparedMessage(
            BusMessage(stream: .health, id: BusMessageID(milliseconds: 9, sequence: 3), envelope: envelope))
        #expect(prepared.socketIOPacket == frame)
    }

    @Test func envelopeScannerRefusesMalformedJSON() {
        for bad in ["", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\":\"x}", "{\"a\":1} x", "{\"a\":tru}"] {
            #expect(EnvelopeFields.values(of: ["a"], in: ByteBuffer(string: bad)) == nil, "\(bad)")
        }
        let fields = EnvelopeFields.values(of: ["b"], in: ByteBuffer(string: " { \"a\" : [ {\"b\":2} ] , \"b\" : -1.5e3 } "))
        #expect(fields.map { String(buffer: $0["b"]!) } == "-1.5e3")
    }

    @Test func openPacketStatesTheEngineIOSettings() {
        let open = SocketIOFrames.open(
            sessionID: "abc", upgrades: ["websocket"], pingInterval: .seconds(25), pingTimeout: .milliseconds(20_000),
            maxPayload: 65_536)
        #expect(
            String(buffer: open)
                == #"0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":65536}"#)
    }
}
