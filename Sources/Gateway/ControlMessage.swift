import NIOCore
import Payloads
import TextFormats

/// The gateway's own messages to WebSocket clients, written as bytes: the snapshot is spliced in
/// as the envelope's exact bytes, never decoded and re-encoded.
enum ControlMessage {
    /// `{"op":"subscribed","stream":…,"snapshot":<envelope>|null}`: `snapshot` is the stream's
    /// latest data the client may see (null when resuming or nothing is stored). When the stream's
    /// data comes from more than one (account, region), `"snapshots":[<envelope>,…]` follows: the
    /// latest data of each, oldest first (`snapshot` is the last of them). A target whose newest
    /// entry is a `stream-state` envelope has that envelope sent right after, as a message like
    /// any other (`ClientOpsEndpoint`): the shape of `subscribed` is the one clients always had.
    static func subscribed(_ stream: StreamName, snapshot: ByteBuffer?, snapshots: [ByteBuffer]? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        let extra = snapshots?.reduce(0) { $0 + $1.readableBytes + 1 } ?? 0
        buffer.reserveCapacity(80 + (snapshot?.readableBytes ?? 4) + extra)
        buffer.writeString("{\"op\":\"subscribed\",\"stream\":\"\(stream.rawValue)\",\"snapshot\":")
        if var snapshot {
            buffer.writeBuffer(&snapshot)
        } else {
            buffer.writeString("null")
        }
        if let snapshots {
            buffer.writeString(",\"snapshots\":[")
            for (index, var envelope) in snapshots.enumerated() {
                if index > 0 { buffer.writeString(",") }
                buffer.writeBuffer(&envelope)
            }
            buffer.writeString("]")
        }
        buffer.writeString("}")
        return buffer
    }

    static func unsubscribed(_ stream: StreamName) -> ByteBuffer {
        ByteBuffer(string: "{\"op\":\"unsubscribed\",\"stream\":\"\(stream.rawValue)\"}")
    }

    static let pong = ByteBuffer(string: "{\"op\":\"pong\"}")

    static func error(_ error: ClientProtocolError) -> ByteBuffer {
        var text = "{\"op\":\"error\",\"code\":\(JSONString.literal(error.code)),\"message\":\(JSONString.literal(error.message))"
        if let stream = error.stream { text += ",\"stream\":\"\(stream.rawValue)\"" }
        text += "}"
        return ByteBuffer(string: text)
    }
}
