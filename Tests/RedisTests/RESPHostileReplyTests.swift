import NIOCore
import Testing

@testable import Redis

/// Replies a broken or hostile server can send to hurt the client: attribute chains that would
/// recurse without end, and large replies dripped a piece at a time that would be parsed again
/// from their start on every read.
@Suite struct RESPHostileReplyTests {
    static func decode(_ wire: String, limits: RESPDecoderLimits = RESPDecoderLimits()) throws -> RESPValue? {
        var decoder = RESPValueDecoder(limits: limits)
        var buffer = ByteBuffer(string: wire)
        return try decoder.next(from: &buffer)
    }

    /// The protocol error `wire` must raise, or an issue when it decodes.
    static func protocolError(
        _ wire: String, limits: RESPDecoderLimits = RESPDecoderLimits(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> RedisClientError? {
        do {
            let value = try Self.decode(wire, limits: limits)
            Issue.record("decoded to \(String(describing: value)) instead of failing", sourceLocation: sourceLocation)
            return nil
        } catch let error as RedisClientError {
            #expect(error.code == .protocolError, sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: Attributes

    @Test func aLongChainOfAttributesIsAProtocolErrorNotACrash() throws {
        let chain = String(repeating: "|0\r\n", count: 50_000)
        // Before a top-level reply, the HELLO map, and an element of an array.
        for wire in [chain + "+OK\r\n", chain + "%1\r\n+proto\r\n:3\r\n", "*2\r\n:1\r\n" + chain + ":2\r\n"] {
            let error = Self.protocolError(wire)
            #expect(error?.message.contains("attributes") == true, "\(String(describing: error))")
        }
    }

    @Test func attributesBeforeEachElementOfAnArrayAreCounted() throws {
        let elements = 100
        let empty = "*\(elements)\r\n" + String(repeating: "|0\r\n:1\r\n", count: elements)
        let withContent = "*\(elements)\r\n" + String(repeating: "|1\r\n+key\r\n$1\r\nv\r\n:1\r\n", count: elements)
        for wire in [empty, withContent] {
            let error = Self.protocolError(wire)
            #expect(error?.message.contains("attributes") == true, "\(String(describing: error))")
        }
        // Nested deeper, under a map value.
        let nested = "%1\r\n+k\r\n*\(elements)\r\n" + String(repeating: "|0\r\n_\r\n", count: elements)
        _ = Self.protocolError(nested)
    }

    @Test func theElementsOfAReplysAttributesCountAgainstTheAggregateLimit() throws {
        let limits = RESPDecoderLimits(maxAggregateCount: 3)
        // Each attribute fits on its own; together they hold four pairs.
        let attribute = "|2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"
        #expect(try Self.decode(attribute + "+OK\r\n", limits: limits) == .simpleString(ByteBuffer(string: "OK")))
        let error = Self.protocolError(attribute + attribute + "+OK\r\n", limits: limits)
        #expect(error?.message.contains("attribute") == true, "\(String(describing: error))")
        _ = Self.protocolError("*2\r\n" + attribute + ":1\r\n" + attribute + ":2\r\n", limits: limits)
    }

    @Test func theAttributeLimitCanBeChanged() throws {
        var limits = RESPDecoderLimits()
        limits.maxAttributes = 2
        #expect(try Self.decode("|0\r\n|0\r\n:1\r\n", limits: limits) == .integer(1))
        _ = Self.protocolError("|0\r\n|0\r\n|0\r\n:1\r\n", limits: limits)
        limits.maxAttributes = 0
        _ = Self.protocolError("|0\r\n:1\r\n", limits: limits)
    }

    @Test func attributeContentStillRespectsTheDepthLimit() throws {
        let limits = RESPDecoderLimits(maxNestingDepth: 3)
        // The attribute is depth 1, its array depth 2, the array in it depth 3.
        #expect(try Self.decode("|1\r\n+k\r\n*1\r\n*0\r\n+OK\r\n", limits: limits) == .simpleString(ByteBuffer(string: "OK")))
        _ = Self.protocolError("|1\r\n+k\r\n*1\r\n*1\r\n*0\r\n+OK\r\n", limits: limits)
        // An attribute as the key of an attribute, and so on: each one deeper.
        _ = Self.protocolError(String(repeating: "|1\r\n", count: 1000) + "+OK\r\n", limits: limits)
    }

    @Test func aReplyWithAFewAttributesStillDecodes() throws {
        let wire =
            "|1\r\n+ttl\r\n:3600\r\n"
            + "*3\r\n|1\r\n+popularity\r\n,0.5\r\n$1\r\na\r\n%1\r\n+k\r\n|0\r\n:1\r\n"
            + "|1\r\n+nested\r\n*2\r\n%1\r\n:1\r\n~1\r\n_\r\n$-1\r\n#t\r\n"
        #expect(
            try Self.decode(wire)
                == .array([
                    .bulkString(ByteBuffer(string: "a")),
                    .map([.init(key: .simpleString(ByteBuffer(string: "k")), value: .integer(1))]),
                    .boolean(true),
                ]))
        // The limit is per reply: the next reply may have as many again.
        var decoder = RESPValueDecoder()
        let sixtyFour = String(repeating: "|0\r\n", count: 64)
        var buffer = ByteBuffer(string: sixtyFour + "+one\r\n" + sixtyFour + "+two\r\n" + sixtyFour + ":3\r\n")
        #expect(try decoder.next(from: &buffer) == .simpleString(ByteBuffer(string: "one")))
        #expect(try decoder.next(from: &buffer) == .simpleString(ByteBuffer(string: "two")))
        #expect(try decoder.next(from: &buffer) == .integer(3))
        #expect(buffer.readableBytes == 0)
    }

    // MARK: Dripped replies

    @Test func anArrayFedOneElementPerCallIsParsedOnce() async throws {
        let count = 100_000
        var wire = ByteBuffer()
        var ends: [Int] = []
        ends.reserveCapacity(count)
        for index in 0..<count {
            wire.writeString(index % 2 == 0 ? ":\(index)\r\n" : "$\(String(index).utf8.count)\r\n\(index)\r\n")
            ends.append(wire.writerIndex)
        }
        var decoder = RESPValueDecoder()
        var header = ByteBuffer(string: "*\(count)\r\n")
        #expect(try decoder.next(from: &header) == nil)
        #expect(header.readableBytes == 0)
        var start = 0
        for (index, end) in ends.enumerated() {
            // The decoder consumed every byte so far, so each call gets just the next element.
            var buffer = wire.getSlice(at: start, length: end - start) ?? ByteBuffer()
            start = end
            let value = try decoder.next(from: &buffer)
            if index % 1000 == 999 {
                // A second of work in a debug build: let the tests that wait on sockets run too.
                await Task.yield()
            }
            guard index == count - 1 else {
                // Linear work: each element is parsed once (plus the header), never again from
                // the start of the reply; a complete element's bytes leave the buffer. Checked
                // without #expect per element, which would cost more than the decoding.
                if value != nil || decoder.parsedElementCount > 2 * (index + 1) || buffer.readableBytes != 0 {
                    Issue.record(
                        "element \(index): \(String(describing: value)), \(decoder.parsedElementCount) parsed, \(buffer.readableBytes) bytes left"
                    )
                    return
                }
                continue
            }
            guard case .array(let values) = value else {
                Issue.record("the last element did not complete the array: \(String(describing: value))")
                return
            }
            #expect(values.count == count)
            #expect(values.first == .integer(0))
            #expect(values.last == .bulkString(ByteBuffer(string: String(count - 1))))
            #expect(values.enumerated().allSatisfy { $0.element.string == String($0.offset) })
        }
        #expect(decoder.parsedElementCount <= 2 * count)
    }

    /// Replies with every kind of aggregate, nested, with attributes and nulls.
    static let samples: [(String, RESPValue)] = [
        (
            "*3\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n*-1\r\n",
            .array([.bulkString(ByteBuffer(string: "hello")), .null, .array([.integer(1), .null])])
        ),
        (
            "%2\r\n+a\r\n*2\r\n:1\r\n$3\r\nx\r\n\r\n~1\r\n#f\r\n%1\r\n_\r\n,1.5\r\n",
            .map([
                .init(
                    key: .simpleString(ByteBuffer(string: "a")),
                    value: .array([.integer(1), .bulkString(ByteBuffer(string: "x\r\n"))])),
                .init(key: .set([.boolean(false)]), value: .map([.init(key: .null, value: .double(1.5))])),
            ])
        ),
        (
            ">4\r\n$7\r\nmessage\r\n$2\r\nch\r\n|1\r\n+meta\r\n*1\r\n:0\r\n$11\r\nhello world\r\n*0\r\n",
            .push([
                .bulkString(ByteBuffer(string: "message")), .bulkString(ByteBuffer(string: "ch")),
                .bulkString(ByteBuffer(string: "hello world")), .array([]),
            ])
        ),
        (
            "|1\r\n+ttl\r\n:1\r\n~3\r\n|0\r\n+a\r\n(123456789012345678901234567890\r\n=7\r\ntxt:abc\r\n",
            .set([
                .simpleString(ByteBuffer(string: "a")), .bigNumber(ByteBuffer(string: "123456789012345678901234567890")),
                .verbatimString(format: "txt", ByteBuffer(string: "abc")),
            ])
        ),
        (
            "*2\r\n*2\r\n*2\r\n*1\r\n-ERR deep\r\n!3\r\nbad\r\n%0\r\n~0\r\n",
            .array([
                .array([.array([.array([.error(ByteBuffer(string: "ERR deep"))]), .error(ByteBuffer(string: "bad"))]), .map([])]),
                .set([]),
            ])
        ),
        ("*2\r\n:-7\r\n:123\r\n", .array([.integer(-7), .integer(123)])),
    ]

    @Test(arguments: 0..<Self.samples.count)
    func aReplySplitAtEveryByteDecodesAsWhole(index: Int) throws {
        let (wire, expected) = Self.samples[index]
        let bytes = Array(wire.utf8)
        var whole = ByteBuffer(bytes: bytes)
        var decoder = RESPValueDecoder()
        #expect(try decoder.next(from: &whole) == expected)
        for split in 1..<bytes.count {
            var decoder = RESPValueDecoder()
            var buffer = ByteBuffer(bytes: bytes[..<split])
            #expect(try decoder.next(from: &buffer) == nil, "decoded early at split \(split)")
            // The next reply (a small integer) must not be taken for an element of this one.
            buffer.writeBytes(bytes[split...])
            buffer.writeString(":5\r\n")
            #expect(try decoder.next(from: &buffer) == expected, "split \(split) of \(wire.debugDescription)")
            #expect(try decoder.next(from: &buffer) == .integer(5), "split \(split)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func repliesFedOneByteAtATimeOrInRandomPiecesDecodeAsWhole() throws {
        let wire = Self.samples.map(\.0).joined(separator: ":9\r\n")
        let expected = Self.samples.map(\.1).flatMap { [$0, .integer(9)] }.dropLast()
        let bytes = Array(wire.utf8)
        var generator = SplitMix64(seed: 0x5EED)
        for maxPiece in [1, 2, 3, 7, 16, 64] {
            var decoder = RESPValueDecoder()
            var buffer = ByteBuffer()
            var values: [RESPValue] = []
            var offset = 0
            while offset < bytes.count {
                let piece = Int.random(in: 1...maxPiece, using: &generator)
                buffer.writeBytes(bytes[offset..<min(bytes.count, offset + piece)])
                offset += piece
                while let value = try decoder.next(from: &buffer) {
                    values.append(value)
                }
            }
            #expect(values == Array(expected), "pieces of at most \(maxPiece) bytes")
            #expect(buffer.readableBytes == 0)
            #expect(decoder.parsedElementCount <= 2 * bytes.count)
        }
    }
}

/// A small seeded generator, so a failing split is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var value = self.state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
