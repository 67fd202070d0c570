import NIOCore

/// Decodes RESP2 and RESP3 replies incrementally, reading every byte once.
///
/// Each complete piece of a reply (a scalar, or the header of an aggregate) is consumed from the
/// buffer as soon as it is parsed; the aggregates it belongs to wait on a stack of open
/// aggregates, bounded by `maxNestingDepth`, until their last element arrives. A large reply
/// dripped over many reads (a server sending an array element by element) thus costs time in
/// proportion to its size: each read resumes at the next element instead of parsing the reply
/// again from its start, which made it quadratic. Only an incomplete scalar stays in the buffer to
/// be read again when more bytes come; the bulk length check makes a large partial bulk string
/// cost one comparison per read, not a rescan.
///
/// The parser is a loop, not a recursion, so no reply can exhaust the call stack: nesting is
/// bounded by `maxNestingDepth`, and RESP3 attributes, which describe the value after them
/// without nesting it, by `maxAttributes` per reply. A malformed reply or one over the
/// ``RESPDecoderLimits`` throws a ``RedisClientError`` with code `.protocolError`, which closes
/// the connection; the decoder is not used again after it threw.
public struct RESPValueDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    public let limits: RESPDecoderLimits
    /// The aggregates of the reply being read that still wait for elements, outermost first.
    private var openAggregates: [OpenAggregate] = []
    /// RESP3 attributes read so far in the reply being read, anywhere in it.
    private var attributeCount = 0
    /// The key/value pairs those attributes held.
    private var attributePairCount = 0
    /// Scalars and aggregate headers the general parser read: each is read once, however the
    /// reply is split, which tests check.
    private(set) var parsedElementCount = 0

    public init(limits: RESPDecoderLimits = RESPDecoderLimits()) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        try self.next(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try self.decode(buffer: &buffer)
    }

    /// `true` between the first byte of a reply and its last: the next bytes continue it, so
    /// they are not a reply of their own (an integer there is an element, not a PUBLISH count).
    var isReadingReply: Bool {
        !self.openAggregates.isEmpty || self.attributeCount != 0
    }

    /// The next complete reply in `buffer`; `nil` when it has not fully arrived. Consumes every
    /// complete piece it reads, so the caller keeps only the unread rest of `buffer` and passes it
    /// again, with the bytes that follow it, on the next call. The decoder keeps slices of the
    /// buffer for the elements it holds, so a caller drops the consumed bytes
    /// (`discardReadBytes()`, as the channel handler and `ByteToMessageHandler` do) before
    /// appending: appending to a storage those slices share copies all of it.
    mutating func next(from buffer: inout ByteBuffer) throws -> RESPValue? {
        if !self.isReadingReply, let integer = Self.readSmallInteger(&buffer) {
            return .integer(integer)
        }
        reading: while true {
            guard let piece = try self.readPiece(&buffer) else { return nil }
            guard case .value(var value) = piece else { continue }
            // A complete value fills a slot of the innermost open aggregate, which may complete it.
            while !self.openAggregates.isEmpty {
                let last = self.openAggregates.count - 1
                self.openAggregates[last].append(value)
                guard self.openAggregates[last].remaining == 0 else { continue reading }
                // A finished attribute yields nothing: the value it describes comes next.
                guard let finished = self.openAggregates.removeLast().finished() else { continue reading }
                value = finished
            }
            self.attributeCount = 0
            self.attributePairCount = 0
            return value
        }
    }

    /// Reads consecutive small integer replies like ``readSmallIntegers(_:limit:into:)``, but only
    /// between replies: inside a partly read aggregate an integer is one of its elements.
    func nextSmallIntegers(from buffer: inout ByteBuffer, limit: Int, into values: inout [RESPValue]) -> Int {
        guard !self.isReadingReply else { return 0 }
        return Self.readSmallIntegers(&buffer, limit: limit, into: &values)
    }
}

extension RESPValueDecoder {
    /// An aggregate whose header was read and whose elements are still arriving.
    private struct OpenAggregate {
        enum Kind {
            case array, set, push, map
            /// A RESP3 attribute: a map that describes the value after it, read and dropped.
            case attribute
        }

        let kind: Kind
        /// Elements still to come; for a map or an attribute, key/value pairs.
        private(set) var remaining: Int
        private var values: [RESPValue] = []
        private var pairs: [RESPValue.Pair] = []
        /// The key of a pair whose value has not arrived yet.
        private var key: RESPValue?

        /// `count` elements or pairs as announced by the header; `available` bytes already in the
        /// buffer, to reserve no more than they could hold (each element takes three or more).
        init(kind: Kind, count: Int, available: Int) {
            self.kind = kind
            self.remaining = count
            switch kind {
            case .array, .set, .push:
                self.values.reserveCapacity(min(count, available / 3 + 1))
            case .map:
                self.pairs.reserveCapacity(min(count, available / 6 + 1))
            case .attribute:
                break
            }
        }

        mutating func append(_ value: RESPValue) {
            switch self.kind {
            case .array, .set, .push:
                self.values.append(value)
                self.remaining -= 1
            case .map, .attribute:
                guard let key = self.key else {
                    self.key = value
                    return
                }
                if self.kind == .map {
                    self.pairs.append(RESPValue.Pair(key: key, value: value))
                }
                self.key = nil
                self.remaining -= 1
            }
        }

        /// The aggregate once every element arrived; `nil` for an attribute.
        func finished() -> RESPValue? {
            switch self.kind {
            case .array: return .array(self.values)
            case .set: return .set(self.values)
            case .push: return .push(self.values)
            case .map: return .map(self.pairs)
            case .attribute: return nil
            }
        }
    }

    /// What one step of the parser read.
    private enum Piece {
        /// A whole value: a scalar, a null, or an empty aggregate.
        case value(RESPValue)
        /// The header of an aggregate (now open) or an attribute: more follows.
        case header
    }

    /// Reads one scalar or one aggregate header at the reader index and consumes it; `nil`, with
    /// the buffer untouched and no state changed, when it has not fully arrived.
    private mutating func readPiece(_ buffer: inout ByteBuffer) throws -> Piece? {
        guard let marker = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return nil
        }
        var body = buffer
        body.moveReaderIndex(forwardBy: 1)
        let piece: Piece
        switch marker {
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            try self.checkDepth()
            guard
                let count = try Self.readLength(
                    &body, limits: self.limits, nullable: marker == UInt8(ascii: "*"), maximum: self.limits.maxAggregateCount,
                    what: "aggregate")
            else {
                return nil
            }
            let kind: OpenAggregate.Kind =
                switch marker {
                case UInt8(ascii: "~"): .set
                case UInt8(ascii: ">"): .push
                default: .array
                }
            piece = self.opening(kind, count: count, available: body.readableBytes)
        case UInt8(ascii: "%"):
            try self.checkDepth()
            guard
                let count = try Self.readLength(
                    &body, limits: self.limits, nullable: false, maximum: self.limits.maxAggregateCount, what: "map")
            else {
                return nil
            }
            piece = self.opening(.map, count: count, available: body.readableBytes)
        case UInt8(ascii: "|"):
            try self.checkDepth()
            guard self.attributeCount < self.limits.maxAttributes else {
                throw Self.malformed(
                    "more than \(self.limits.maxAttributes) attributes in one reply (limits.reply.maxAttributes)")
            }
            guard
                let count = try Self.readLength(
                    &body, limits: self.limits, nullable: false, maximum: self.limits.maxAggregateCount, what: "attribute")
            else {
                return nil
            }
            let pairs = count ?? 0
            guard pairs <= self.limits.maxAggregateCount - self.attributePairCount else {
                throw Self.malformed(
                    "attributes with more than \(self.limits.maxAggregateCount) pairs in one reply (limits.reply.maxAggregateCount)"
                )
            }
            self.attributeCount += 1
            self.attributePairCount += pairs
            piece = self.opening(.attribute, count: pairs, available: body.readableBytes)
        default:
            guard let value = try Self.readScalar(marker, &body, limits: self.limits) else { return nil }
            piece = .value(value)
        }
        self.parsedElementCount &+= 1
        buffer = body
        return piece
    }

    /// An aggregate of `count` elements or pairs (`nil`: the RESP2 null array) as the parser's
    /// next step: a whole value when it is empty or null, else an open aggregate that waits for them.
    private mutating func opening(_ kind: OpenAggregate.Kind, count: Int?, available: Int) -> Piece {
        guard let count else { return .value(.null) }
        guard count > 0 else {
            switch kind {
            case .array: return .value(.array([]))
            case .set: return .value(.set([]))
            case .push: return .value(.push([]))
            case .map: return .value(.map([]))
            case .attribute: return .header
            }
        }
        self.openAggregates.append(OpenAggregate(kind: kind, count: count, available: available))
        return .header
    }

    /// An aggregate or attribute header here would open one more level than the limit allows.
    private func checkDepth() throws {
        guard self.openAggregates.count < self.limits.maxNestingDepth else {
            throw Self.malformed("nesting deeper than \(self.limits.maxNestingDepth)")
        }
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
    /// else (negative, longer, incomplete or malformed), which takes the general path. Only valid
    /// between replies (see ``isReadingReply``).
    static func readSmallInteger(_ buffer: inout ByteBuffer) -> Int64? {
        let parsed = buffer.withUnsafeReadableBytes { raw in Self.smallInteger(in: raw, at: 0) }
        guard let parsed else { return nil }
        buffer.moveReaderIndex(forwardBy: parsed.length)
        return parsed.value
    }

    /// Reads consecutive small integer replies (as ``readSmallInteger(_:)``), at most `limit`, in
    /// one pass over the bytes; returns how many it appended to `values`. Only valid between
    /// replies: callers with a decoder use ``nextSmallIntegers(from:limit:into:)``.
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

    /// Parses the scalar whose type byte `marker` was just read from `buffer`; `nil` when more
    /// bytes are needed.
    private static func readScalar(_ marker: UInt8, _ buffer: inout ByteBuffer, limits: RESPDecoderLimits) throws -> RESPValue? {
        switch marker {
        case UInt8(ascii: "+"):
            return try self.readLine(&buffer, limits: limits).map { .simpleString($0) }
        case UInt8(ascii: "-"):
            return try self.readLine(&buffer, limits: limits).map { .error($0) }
        case UInt8(ascii: ":"):
            return try self.readLine(&buffer, limits: limits).map { .integer(try self.parseInteger($0)) }
        case UInt8(ascii: "$"):
            return try self.readBulk(&buffer, limits: limits, nullable: true).map { $0.map { .bulkString($0) } ?? .null }
        case UInt8(ascii: "!"):
            return try self.readBulk(&buffer, limits: limits, nullable: false).map { $0.map { .error($0) } ?? .null }
        case UInt8(ascii: "="):
            return try self.readBulk(&buffer, limits: limits, nullable: false).map { bulk in
                guard var text = bulk, text.readableBytes >= 4,
                    text.getInteger(at: text.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":")
                else {
                    throw self.malformed("verbatim string without a format prefix")
                }
                let format = text.readString(length: 3) ?? ""
                text.moveReaderIndex(forwardBy: 1)
                return .verbatimString(format: format, text)
            }
        case UInt8(ascii: "_"):
            return try self.readLine(&buffer, limits: limits).map { line in
                guard line.readableBytes == 0 else { throw self.malformed("null with a body") }
                return .null
            }
        case UInt8(ascii: "#"):
            return try self.readLine(&buffer, limits: limits).map { line in
                switch line.getInteger(at: line.readerIndex, as: UInt8.self) {
                case UInt8(ascii: "t") where line.readableBytes == 1: return .boolean(true)
                case UInt8(ascii: "f") where line.readableBytes == 1: return .boolean(false)
                default: throw self.malformed("boolean that is neither t nor f")
                }
            }
        case UInt8(ascii: ","):
            return try self.readLine(&buffer, limits: limits).map { .double(try self.parseDouble($0)) }
        case UInt8(ascii: "("):
            return try self.readLine(&buffer, limits: limits).map { line in
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
}
