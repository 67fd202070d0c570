import NIOCore

/// Writes commands as RESP arrays of bulk strings, the only form Redis accepts from clients.
///
/// Each call measures the exact encoded size first, then fills the buffer with one raw write:
/// a ByteBuffer write per header, digit and CRLF costs a bounds check, a capacity check and an
/// exclusivity check each, which at a few hundred thousand commands a second was a large part of
/// the client's CPU time.
enum RESPCommandEncoder {
    static func encode(_ arguments: [ByteBuffer], into buffer: inout ByteBuffer) {
        let length = self.encodedLength(arguments)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
            guard let start = output.baseAddress else { return 0 }
            return self.write(arguments, to: start)
        }
    }

    /// Encodes several commands back to back, as one pipelined write.
    static func encode(_ commands: [[ByteBuffer]], into buffer: inout ByteBuffer) {
        var length = 0
        for command in commands {
            length += self.encodedLength(command)
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
            guard let start = output.baseAddress else { return 0 }
            var offset = 0
            for command in commands {
                offset += self.write(command, to: start + offset)
            }
            return offset
        }
    }

    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) {
        var length = 1 + self.decimalLength(arguments.count) + 2
        for argument in arguments {
            let count = argument.utf8.count
            length += 1 + self.decimalLength(count) + 2 + count + 2
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
            guard let start = output.baseAddress else { return 0 }
            var offset = self.writeLength(marker: UInt8(ascii: "*"), arguments.count, to: start)
            for argument in arguments {
                var argument = argument
                offset += argument.withUTF8 { self.writeBulkString(UnsafeRawBufferPointer($0), to: start + offset) }
            }
            return offset
        }
    }

    /// Encodes `PUBLISH channel message` for each message, back to back: the command and channel
    /// part is formatted once and copied in front of every message.
    static func encodePublishes(_ messages: [ByteBuffer], to channel: String, into buffer: inout ByteBuffer) {
        var header = ByteBuffer()
        self.encode([ByteBuffer(string: "PUBLISH"), ByteBuffer(string: channel)], into: &header)
        // `*2` becomes `*3`: the message is the third argument.
        header.setInteger(UInt8(ascii: "3"), at: header.readerIndex + 1)
        var length = 0
        for message in messages {
            let count = message.readableBytes
            length += header.readableBytes + 1 + self.decimalLength(count) + 2 + count + 2
        }
        _ = header.withUnsafeReadableBytes { header in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
                guard let start = output.baseAddress, let headerStart = header.baseAddress else { return 0 }
                var offset = 0
                for message in messages {
                    (start + offset).copyMemory(from: headerStart, byteCount: header.count)
                    offset += header.count
                    offset += message.withUnsafeReadableBytes { self.writeBulkString($0, to: start + offset) }
                }
                return offset
            }
        }
    }

    /// The exact number of bytes ``encode(_:into:)`` writes for one command.
    static func encodedLength(_ arguments: [ByteBuffer]) -> Int {
        var length = 1 + self.decimalLength(arguments.count) + 2
        for argument in arguments {
            let count = argument.readableBytes
            length += 1 + self.decimalLength(count) + 2 + count + 2
        }
        return length
    }

    /// Writes one command at `start`, which has room for ``encodedLength(_:)`` bytes; returns that length.
    private static func write(_ arguments: [ByteBuffer], to start: UnsafeMutableRawPointer) -> Int {
        var offset = self.writeLength(marker: UInt8(ascii: "*"), arguments.count, to: start)
        for argument in arguments {
            offset += argument.withUnsafeReadableBytes { self.writeBulkString($0, to: start + offset) }
        }
        return offset
    }

    /// The digits of a non-negative `value`.
    static func decimalLength(_ value: Int) -> Int {
        var digits = 1
        var remaining = value
        while remaining >= 10 {
            remaining /= 10
            digits += 1
        }
        return digits
    }

    /// Writes `bytes` as a bulk string, `$<count>` CRLF, the bytes, CRLF; returns the bytes written.
    private static func writeBulkString(_ bytes: UnsafeRawBufferPointer, to start: UnsafeMutableRawPointer) -> Int {
        let offset = self.writeLength(marker: UInt8(ascii: "$"), bytes.count, to: start)
        if let base = bytes.baseAddress {
            (start + offset).copyMemory(from: base, byteCount: bytes.count)
        }
        return offset + bytes.count + self.writeCRLF(to: start + offset + bytes.count)
    }

    /// Writes `marker`, the decimal `value` and CRLF; returns the bytes written.
    private static func writeLength(marker: UInt8, _ value: Int, to start: UnsafeMutableRawPointer) -> Int {
        start.storeBytes(of: marker, as: UInt8.self)
        let digits = self.decimalLength(value)
        var remaining = value
        var index = digits
        while index > 0 {
            (start + index).storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10), as: UInt8.self)
            remaining /= 10
            index -= 1
        }
        return 1 + digits + self.writeCRLF(to: start + 1 + digits)
    }

    private static func writeCRLF(to start: UnsafeMutableRawPointer) -> Int {
        start.storeBytes(of: UInt8(ascii: "\r"), as: UInt8.self)
        (start + 1).storeBytes(of: UInt8(ascii: "\n"), as: UInt8.self)
        return 2
    }
}
