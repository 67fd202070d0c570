import NIOCore

/// A server-to-client WebSocket text frame as bytes (RFC 6455 §5.2: FIN, opcode 1, no mask, the
/// shortest length encoding), built once per message so every socket writes the same buffer
/// straight to the wire: no per-socket frame header, encoder pass or second iovec.
enum WebSocketTextFrame {
    /// The frame header's length for a payload of `length` bytes.
    static func headerLength(payloadLength length: Int) -> Int {
        switch length {
        case 0...125: 2
        case 126...0xFFFF: 4
        default: 10
        }
    }

    /// `payload` (its readable bytes, unchanged) behind a text frame header.
    static func encode(_ payload: ByteBuffer) -> ByteBuffer {
        let length = payload.readableBytes
        var frame = ByteBuffer()
        frame.reserveCapacity(headerLength(payloadLength: length) + length)
        frame.writeInteger(UInt8(0x81))  // FIN | text
        switch length {
        case 0...125:
            frame.writeInteger(UInt8(length))
        case 126...0xFFFF:
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        var payload = payload
        frame.writeBuffer(&payload)
        return frame
    }
}
