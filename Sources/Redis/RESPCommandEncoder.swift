import NIOCore

/// Writes commands as RESP arrays of bulk strings, the only form Redis accepts from clients.
enum RESPCommandEncoder {
    static func encode(_ arguments: [ByteBuffer], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        self.writeDecimal(arguments.count, into: &buffer)
        for argument in arguments {
            buffer.writeInteger(UInt8(ascii: "$"))
            self.writeDecimal(argument.readableBytes, into: &buffer)
            var argument = argument
            buffer.writeBuffer(&argument)
            buffer.writeStaticString("\r\n")
        }
    }

    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        self.writeDecimal(arguments.count, into: &buffer)
        for argument in arguments {
            buffer.writeInteger(UInt8(ascii: "$"))
            self.writeDecimal(argument.utf8.count, into: &buffer)
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
    }

    /// Writes a non-negative decimal and CRLF without building a String.
    private static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        if value < 10 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(value))
        } else {
            var digits:
                (
                    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                    UInt8, UInt8, UInt8, UInt8, UInt8
                ) =
                    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var remaining = value
            withUnsafeMutableBytes(of: &digits) { raw in
                while remaining > 0 && count < raw.count {
                    raw[raw.count - 1 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                    count += 1
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(raw.count - count)...]))
            }
        }
        buffer.writeStaticString("\r\n")
    }
}
