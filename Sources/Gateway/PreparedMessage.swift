import Bus
import NIOCore
import Payloads

/// One broker message prepared once for every protocol: the WebSocket text frame payload is the
/// envelope exactly as published (the same storage, never copied or re-encoded) and the SSE event
/// is built once. Every subscriber gets the same buffers; `ByteBuffer` storage is shared
/// copy-on-write and never written to after this point.
struct PreparedMessage: Sendable {
    let stream: StreamName
    let id: BusMessageID
    /// The WebSocket text frame payload.
    let webSocketPayload: ByteBuffer
    /// `id: <id>\nevent: <stream>\ndata: <envelope>\n\n`.
    let sseEvent: ByteBuffer

    init(_ message: BusMessage) {
        self.stream = message.stream
        self.id = message.id
        self.webSocketPayload = message.envelope
        self.sseEvent = Self.sseEvent(id: message.id.description, event: message.stream.rawValue, data: message.envelope)
    }

    /// An SSE event; `data` spanning several lines becomes several `data:` lines, as the spec says.
    static func sseEvent(id: String?, event: String, data: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.readableBytes + (id?.utf8.count ?? 0) + event.utf8.count + 32)
        if let id {
            buffer.writeString("id: ")
            buffer.writeString(id)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        buffer.writeString("event: ")
        buffer.writeString(event)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let view = data.readableBytesView
        var lineStart = view.startIndex
        var index = view.startIndex
        while index < view.endIndex {
            let byte = view[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                buffer.writeString("data: ")
                buffer.writeBytes(view[lineStart..<index])
                buffer.writeInteger(UInt8(ascii: "\n"))
                lineStart = view.index(after: index)
            }
            index = view.index(after: index)
        }
        buffer.writeString("data: ")
        buffer.writeBytes(view[lineStart..<view.endIndex])
        buffer.writeString("\n\n")
        return buffer
    }
}
