import Bus
import NIOCore
import Payloads
import TextFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The gateway's outbound Engine.IO and Socket.IO packets, as text, built from bytes: envelope
/// fields are spliced in as the worker encoded them.
enum SocketIOFrames {
    /// The one namespace the old gateway served, and ours.
    static let namespace = "/aws-realtime"

    // MARK: Engine.IO

    /// The open packet: `0{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.
    static func open(sessionID: String, upgrades: [String], pingInterval: Duration, pingTimeout: Duration, maxPayload: Int)
        -> ByteBuffer
    {
        let list = upgrades.map { JSONString.literal($0) }.joined(separator: ",")
        return ByteBuffer(
            string:
                "0{\"sid\":\(JSONString.literal(sessionID)),\"upgrades\":[\(list)],\"pingInterval\":\(pingInterval.milliseconds),\"pingTimeout\":\(pingTimeout.milliseconds),\"maxPayload\":\(maxPayload)}"
        )
    }

    static let ping = ByteBuffer(string: "2")
    static let probeAnswer = ByteBuffer(string: "3probe")
    static let noop = ByteBuffer(string: "6")
    static let close = ByteBuffer(string: "1")

    // MARK: Socket.IO

    /// `<type><namespace>,` with the namespace left out for `/`, as the reference encoder does.
    private static func header(_ type: Int, namespace: String) -> String {
        namespace == "/" ? "4\(type)" : "4\(type)\(namespace),"
    }

    /// CONNECT answered: `40/aws-realtime,{"sid":"…"}`.
    static func connected(namespace: String, socketID: String) -> ByteBuffer {
        ByteBuffer(string: header(0, namespace: namespace) + "{\"sid\":\(JSONString.literal(socketID))}")
    }

    /// CONNECT_ERROR: `44/aws-realtime,{"message":"…"}`.
    static func connectError(namespace: String, message: String) -> ByteBuffer {
        ByteBuffer(string: header(4, namespace: namespace) + "{\"message\":\(JSONString.literal(message))}")
    }

    /// DISCONNECT from the server: `41/aws-realtime,`.
    static func disconnect(namespace: String) -> ByteBuffer {
        ByteBuffer(string: header(1, namespace: namespace))
    }

    /// EVENT: `42/aws-realtime,["<name>",<json>]`; `json` must be one JSON value.
    static func event(_ name: String, json: String, namespace: String = namespace) -> ByteBuffer {
        ByteBuffer(string: header(2, namespace: namespace) + "[\(JSONString.literal(name)),\(json)]")
    }

    /// ACK: `43/aws-realtime,<id>[<json>]`.
    static func ack(_ id: Int, json: String, namespace: String = namespace) -> ByteBuffer {
        ByteBuffer(string: header(3, namespace: namespace) + "\(id)[\(json)]")
    }

    /// One envelope as the event its clients listen to, with `{timestamp, data, type, id}` taken
    /// from the envelope's own bytes, and the envelope's `account` and `region` where it has them
    /// (a worker with many targets; old clients ignore members they do not know): data is the old
    /// gateway's `<stream>-update`; a
    /// `stream-state` envelope is `<stream>-state`, which old clients ignore (they would render it
    /// as data under `-update`). An envelope that cannot be scanned (never produced by our worker)
    /// is carried whole as `data` of an `-update`, so nothing is lost.
    static func streamEvent(stream: StreamName, id: BusMessageID, envelope: ByteBuffer) -> ByteBuffer {
        let fields = EnvelopeFields.values(of: ["timestamp", "data", "type", "account", "region"], in: envelope)
        let isState = fields?["type"].map(BusMessage.isStreamStateType) ?? false
        var buffer = ByteBuffer()
        buffer.reserveCapacity(envelope.readableBytes + 96)
        buffer.writeString(header(2, namespace: namespace))
        buffer.writeString("[\"\(stream.rawValue)-\(isState ? "state" : "update")\",{\"timestamp\":")
        func write(_ value: ByteBuffer?) {
            if var value { buffer.writeBuffer(&value) } else { buffer.writeString("null") }
        }
        if let fields {
            write(fields["timestamp"])
            buffer.writeString(",\"data\":")
            write(fields["data"])
            buffer.writeString(",\"type\":")
            write(fields["type"])
            for name in ["account", "region"] {
                guard var value = fields[name] else { continue }
                buffer.writeString(",\"\(name)\":")
                buffer.writeBuffer(&value)
            }
        } else {
            buffer.writeString("null,\"data\":")
            write(envelope)
            buffer.writeString(",\"type\":\"\(stream.dataType)\"")
        }
        buffer.writeString(",\"id\":\"\(id.description)\"}]")
        return buffer
    }

    /// `connection-established` `{clientId, timestamp, availableStreams}`.
    static func connectionEstablished(clientID: String, streams: [StreamName], now: Date) -> ByteBuffer {
        let list = streams.map { "\"\($0.rawValue)\"" }.joined(separator: ",")
        return event(
            "connection-established",
            json:
                "{\"clientId\":\(JSONString.literal(clientID)),\"timestamp\":\"\(ISO8601.string(from: now))\",\"availableStreams\":[\(list)]}"
        )
    }

    /// `{stream, interval, timestamp}`, the payload of `subscription-confirmed` (and of its ack).
    static func subscriptionConfirmation(stream: StreamName, interval: Int?, now: Date) -> String {
        "{\"stream\":\"\(stream.rawValue)\",\"interval\":\(interval.map(String.init) ?? "null"),\"timestamp\":\"\(ISO8601.string(from: now))\"}"
    }

    /// `{stream, timestamp}`, the payload of `unsubscription-confirmed` (and of its ack).
    static func unsubscriptionConfirmation(stream: StreamName, now: Date) -> String {
        "{\"stream\":\"\(stream.rawValue)\",\"timestamp\":\"\(ISO8601.string(from: now))\"}"
    }

    /// `{message, code, stream?}`, the payload of `error` (and of a refused request's ack).
    static func errorPayload(_ error: ClientProtocolError) -> String {
        var text = "{\"message\":\(JSONString.literal(error.message)),\"code\":\(JSONString.literal(error.code))"
        if let stream = error.stream { text += ",\"stream\":\"\(stream.rawValue)\"" }
        return text + "}"
    }
}

extension Duration {
    /// Whole milliseconds, as Engine.IO states its intervals.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
