import NIOCore

/// Decodes RESP2 and RESP3 replies incrementally.
///
/// A reply that has not fully arrived yields `nil` and leaves the buffer untouched, so the
/// decoder is called again when more bytes come; a malformed reply or one over the
/// ``RESPDecoderLimits`` throws a ``RedisClientError`` with code `.protocolError`, which closes
/// the connection. A partial reply is parsed again from its start when more bytes arrive; the
/// bulk length check makes a large partial bulk string cost one comparison, not a rescan.
public struct RESPValueDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    public let limits: RESPDecoderLimits
    /// Values parsed so far, counted each time the parser reads one (a partial reply read again
    /// counts again): tests use it to measure how much work a reply cost.
    private(set) var parsedElementCount = 0

    public init(limits: RESPDecoderLimits = RESPDecoderLimits()) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        try self.next(from: &buffer)
    }

    /// The next complete reply in `buffer`, which it then moves past; `nil`, with the buffer
    /// untouched, when the reply has not fully arrived.
    mutating func next(from buffer: inout ByteBuffer) throws -> RESPValue? {
        if let integer = Self.readSmallInteger(&buffer) {
            return .integer(integer)
        }
        var copy = buffer
        guard let value = try Self.parseValue(&copy, limits: self.limits, depth: 1, count: &self.parsedElementCount) else {
            return nil
        }
        buffer = copy
        return value
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try self.decode(buffer: &buffer)
    }
}

extension RESPValueDecoder {
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    static func malformed(_ message: String) -> RedisClientError {
        RedisClientError(code: .protocolError, message: "malformed reply from server: \(message)")
    }

    /// The commonest reply, a complete `:<digits>\r\n` of at most 18 digits (PUBLISH, INCR, DEL...),
    /// read in place without slicing the buffer. `nil`, with the buffer untouched, for anything
    /// else (negative, longer, incomplete or malformed), which takes the general path.
    static func readSmallInteger(_ buffer: inout ByteBuffer) -> Int64? {
        let parsed = buffer.withUnsafeReadableBytes { raw in Self.smallInteger(in: raw, at: 0) }
        guard let parsed else { return nil }
        buffer.moveReaderIndex(forwardBy: parsed.length)
        return parsed.value
    }

    /// Reads consecutive small integer replies (as ``readSmallInteger(_:)``), at most `limit`, in
    /// one pass over the bytes; returns how many it appended to `values`.
    static func readSmallIntegers(_ buffer: inout ByteBuffer, limit: Int, into values: inout [RESPValue]) -> Int {
        var count = 0
        let consumed = buffer.withUnsafeReadableBytes { raw in
            var offset = 0
            while count < limit, let parsed = Self.smallInteger(in: raw, at: offset) {
                values.append(.integer(parsed.value))
                offset += parsed.length
                count += 1
            }
            return offset
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        return count
    }

    /// A complete `:<digits>\r\n` of at most 18 digits at `offset`: its value and its length.
    private static func smallInteger(in raw: UnsafeRawBufferPointer, at offset: Int) -> (value: Int64, length: Int)? {
        guard raw.count - offset >= 4, raw[offset] == UInt8(ascii: ":") else { return nil }
        var value: Int64 = 0
        var index = offset + 1
        let end = min(raw.count, offset + 19)
        while index < end {
            let digit = raw[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        guard index > offset + 1, index + 1 < raw.count, raw[index] == Self.cr, raw[index + 1] == Self.lf else { return nil }
        return (value, index + 2 - offset)
    }

    /// Parses one value; `nil` when more bytes are needed. Moves the reader index past the value
    /// only when it returns one.
    static func parseValue(
        _ buffer: inout ByteBuffer, limits: RESPDecoderLimits, depth: Int, count parsed: inout Int
    ) throws -> RESPValue? {
        guard let marker = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return nil
        }
        var body = buffer
        body.moveReaderIndex(forwardBy: 1)
        let value: RESPValue?
        switch marker {
        case UInt8(ascii: "+"):
            value = try self.readLine(&body, limits: limits).map { .simpleString($0) }
        case UInt8(ascii: "-"):
            value = try self.readLine(&body, limits: limits).map { .error($0) }
        case UInt8(ascii: ":"):
            value = try self.readLine(&body, limits: limits).map { .integer(try self.parseInteger($0)) }
        case UInt8(ascii: "$"):
            value = try self.readBulk(&body, limits: limits, nullable: true).map { $0.map { .bulkString($0) } ?? .null }
        case UInt8(ascii: "!"):
            value = try self.readBulk(&body, limits: limits, nullable: false).map { $0.map { .error($0) } ?? .null }
        case UInt8(ascii: "="):
            value = try self.readBulk(&body, limits: limits, nullable: false).map { bulk in
                guard var text = bulk, text.readableBytes >= 4,
                    text.getInteger(at: text.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":")
                else {
                    throw self.malformed("verbatim string without a format prefix")
                }
                let format = text.readString(length: 3) ?? ""
                text.moveReaderIndex(forwardBy: 1)
                return .verbatimString(format: format, text)
            }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            value = try self.readAggregate(
                &body, limits: limits, depth: depth, count: &parsed, nullable: marker == UInt8(ascii: "*")
            ).map {
                values in
                guard let values else { return .null }
                switch marker {
                case UInt8(ascii: "~"): return .set(values)
                case UInt8(ascii: ">"): return .push(values)
                default: return .array(values)
                }
            }
        case UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let pairs = try self.readMap(&body, limits: limits, depth: depth, count: &parsed) else {
                return nil
            }
            if marker == UInt8(ascii: "|") {
                // An attribute describes the reply that follows it: read it, keep the reply.
                _ = pairs
                guard let next = try self.parseValue(&body, limits: limits, depth: depth, count: &parsed) else {
                    return nil
                }
                value = next
            } else {
                value = .map(pairs)
            }
        case UInt8(ascii: "_"):
            value = try self.readLine(&body, limits: limits).map { line in
                guard line.readableBytes == 0 else { throw self.malformed("null with a body") }
                return .null
            }
        case UInt8(ascii: "#"):
            value = try self.readLine(&body, limits: limits).map { line in
                switch line.getInteger(at: line.readerIndex, as: UInt8.self) {
                case UInt8(ascii: "t") where line.readableBytes == 1: return .boolean(true)
                case UInt8(ascii: "f") where line.readableBytes == 1: return .boolean(false)
                default: throw self.malformed("boolean that is neither t nor f")
                }
            }
        case UInt8(ascii: ","):
            value = try self.readLine(&body, limits: limits).map { .double(try self.parseDouble($0)) }
        case UInt8(ascii: "("):
            value = try self.readLine(&body, limits: limits).map { line in
                var digits = line
                if digits.getInteger(at: digits.readerIndex, as: UInt8.self) == UInt8(ascii: "-") {
                    digits.moveReaderIndex(forwardBy: 1)
                }
                guard digits.readableBytes > 0, digits.readableBytesView.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                    throw self.malformed("big number that is not decimal")
                }
                return .bigNumber(line)
            }
        default:
            throw self.malformed("unknown type byte \(marker)")
        }
        guard let value else { return nil }
        parsed += 1
        buffer = body
        return value
    }

    /// Reads up to CRLF; `nil` if the CRLF has not arrived yet.
    private static func readLine(_ buffer: inout ByteBuffer, limits: RESPDecoderLimits) throws -> ByteBuffer? {
        // Scan the raw bytes: this runs once per reply and must be cheap.
        let crOffset: Int? = buffer.withUnsafeReadableBytes { raw in
            let end = min(raw.count, limits.maxLineLength + 2)
            var index = 0
            while index < end {
                if raw[index] == Self.cr { return index }
                index += 1
            }
            return nil
        }
        guard let length = crOffset else {
            if buffer.readableBytes > limits.maxLineLength + 1 {
                throw self.malformed("line longer than \(limits.maxLineLength) bytes")
            }
            return nil
        }
        if length > limits.maxLineLength {
            throw self.malformed("line longer than \(limits.maxLineLength) bytes")
        }
        guard let next = buffer.getInteger(at: buffer.readerIndex + length + 1, as: UInt8.self) else { return nil }
        guard next == Self.lf else {
            throw self.malformed("CR not followed by LF")
        }
        guard let line = buffer.readSlice(length: length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    static func parseInteger(_ line: ByteBuffer) throws -> Int64 {
        let parsed: Int64? = line.withUnsafeReadableBytes { raw in
            guard !raw.isEmpty else { return nil }
            var index = 0
            var isNegative = false
            if raw[0] == UInt8(ascii: "-") || raw[0] == UInt8(ascii: "+") {
                isNegative = raw[0] == UInt8(ascii: "-")
                index = 1
            }
            guard index < raw.count else { return nil }
            var result: Int64 = 0
            while index < raw.count {
                let byte = raw[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let digit = Int64(byte &- UInt8(ascii: "0"))
                let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
                let (next, overflow2) =
                    isNegative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { return nil }
                result = next
                index += 1
            }
            return result
        }
        guard let parsed else {
            throw self.malformed("integer that is not a decimal Int64")
        }
        return parsed
    }

    private static func parseDouble(_ line: ByteBuffer) throws -> Double {
        let text = String(buffer: line)
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        default:
            guard let value = Double(text) else { throw self.malformed("double that is not a number") }
            return value
        }
    }

    /// Reads a length line: `nil` if incomplete, `-1` allowed only when `nullable`.
    private static func readLength(
        _ buffer: inout ByteBuffer, limits: RESPDecoderLimits, nullable: Bool, maximum: Int, what: String
    ) throws
        -> Int??
    {
        guard let line = try self.readLine(&buffer, limits: limits) else { return nil }
        if line.readableBytes == 1, line.getInteger(at: line.readerIndex, as: UInt8.self) == UInt8(ascii: "?") {
            throw self.malformed("streamed \(what) is not supported")
        }
        let length = try self.parseInteger(line)
        if length == -1 && nullable {
            return .some(nil)
        }
        guard length >= 0 else { throw self.malformed("negative \(what) length \(length)") }
        guard length <= maximum else {
            throw self.malformed("\(what) of \(length) exceeds the limit of \(maximum)")
        }
        return .some(Int(length))
    }

    /// `nil`: incomplete; `.some(nil)`: the RESP2 null bulk string.
    private static func readBulk(_ buffer: inout ByteBuffer, limits: RESPDecoderLimits, nullable: Bool) throws -> ByteBuffer?? {
        guard
            let length = try self.readLength(
                &buffer, limits: limits, nullable: nullable, maximum: limits.maxBulkLength, what: "bulk string")
        else {
            return nil
        }
        guard let length else { return .some(nil) }
        guard buffer.readableBytes >= length + 2 else { return nil }
        guard let bytes = buffer.readSlice(length: length) else { return nil }
        guard buffer.readInteger(as: UInt8.self) == self.cr, buffer.readInteger(as: UInt8.self) == self.lf else {
            throw self.malformed("bulk string not followed by CRLF")
        }
        return .some(bytes)
    }

    private static func readAggregate(
        _ buffer: inout ByteBuffer, limits: RESPDecoderLimits, depth: Int, count parsed: inout Int, nullable: Bool
    ) throws
        -> [RESPValue]??
    {
        guard depth <= limits.maxNestingDepth else {
            throw self.malformed("nesting deeper than \(limits.maxNestingDepth)")
        }
        guard
            let count = try self.readLength(
                &buffer, limits: limits, nullable: nullable, maximum: limits.maxAggregateCount, what: "aggregate")
        else {
            return nil
        }
        guard let count else { return .some(nil) }
        // Each element takes at least three bytes: never reserve more than the bytes could hold.
        var values: [RESPValue] = []
        values.reserveCapacity(min(count, buffer.readableBytes / 3 + 1))
        for _ in 0..<count {
            guard let value = try self.parseValue(&buffer, limits: limits, depth: depth + 1, count: &parsed) else { return nil }
            values.append(value)
        }
        return .some(values)
    }

    private static func readMap(
        _ buffer: inout ByteBuffer, limits: RESPDecoderLimits, depth: Int, count parsed: inout Int
    ) throws -> [RESPValue.Pair]? {
        guard depth <= limits.maxNestingDepth else {
            throw self.malformed("nesting deeper than \(limits.maxNestingDepth)")
        }
        guard
            let count = try self.readLength(
                &buffer, limits: limits, nullable: false, maximum: limits.maxAggregateCount, what: "map")
        else {
            return nil
        }
        guard let count else { return nil }
        var pairs: [RESPValue.Pair] = []
        pairs.reserveCapacity(min(count, buffer.readableBytes / 6 + 1))
        for _ in 0..<count {
            guard let key = try self.parseValue(&buffer, limits: limits, depth: depth + 1, count: &parsed) else { return nil }
            guard let value = try self.parseValue(&buffer, limits: limits, depth: depth + 1, count: &parsed) else { return nil }
            pairs.append(RESPValue.Pair(key: key, value: value))
        }
        return pairs
    }
}
