import NIOCore
import NIOEmbedded
import Testing

@testable import Redis

@Suite struct RESPValueDecoderTests {
    /// Every RESP2 and RESP3 type, with the value it must decode to.
    static let cases: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString(ByteBuffer(string: "OK"))),
        ("-ERR wrong\r\n", .error(ByteBuffer(string: "ERR wrong"))),
        (":-42\r\n", .integer(-42)),
        (":9223372036854775807\r\n", .integer(Int64.max)),
        ("$5\r\nhel\r\n\r\n", .bulkString(ByteBuffer(string: "hel\r\n"))),
        ("$0\r\n\r\n", .bulkString(ByteBuffer())),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("_\r\n", .null),
        ("*2\r\n:1\r\n$1\r\na\r\n", .array([.integer(1), .bulkString(ByteBuffer(string: "a"))])),
        ("*0\r\n", .array([])),
        (",3.5\r\n", .double(3.5)),
        (",-inf\r\n", .double(-.infinity)),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        (
            "(3492890328409238509324850943850943825024385\r\n",
            .bigNumber(ByteBuffer(string: "3492890328409238509324850943850943825024385"))
        ),
        ("!21\r\nSYNTAX invalid syntax\r\n", .error(ByteBuffer(string: "SYNTAX invalid syntax"))),
        ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", ByteBuffer(string: "Some string"))),
        (
            "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
            .map([
                .init(key: .simpleString(ByteBuffer(string: "first")), value: .integer(1)),
                .init(key: .simpleString(ByteBuffer(string: "second")), value: .integer(2)),
            ])
        ),
        ("~2\r\n+a\r\n+b\r\n", .set([.simpleString(ByteBuffer(string: "a")), .simpleString(ByteBuffer(string: "b"))])),
        (
            ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            .push([
                .bulkString(ByteBuffer(string: "message")), .bulkString(ByteBuffer(string: "ch")),
                .bulkString(ByteBuffer(string: "hi")),
            ])
        ),
        ("|1\r\n+key-popularity\r\n%0\r\n:7\r\n", .integer(7)),
        ("*2\r\n*1\r\n_\r\n%1\r\n#t\r\n~0\r\n", .array([.array([.null]), .map([.init(key: .boolean(true), value: .set([]))])])),
    ]

    @Test(arguments: 0..<Self.cases.count)
    func decodesEveryTypeSplitAtEveryByte(index: Int) throws {
        let (wire, expected) = Self.cases[index]
        let bytes = Array(wire.utf8)
        // Whole, then split at every boundary: the first part must wait, never fail or mis-decode.
        for split in 0...bytes.count {
            var decoder = RESPValueDecoder()
            var buffer = ByteBuffer(bytes: bytes[..<split])
            if split < bytes.count {
                #expect(try decoder.decode(buffer: &buffer) == nil, "decoded early at split \(split) of \(wire.debugDescription)")
                // Complete pieces (an aggregate's header, its whole elements) are consumed; the
                // decoder keeps their place, the buffer keeps the rest.
                #expect(buffer.readableBytes <= split)
            }
            buffer.writeBytes(bytes[split...])
            let value = try decoder.decode(buffer: &buffer)
            #expect(value == expected, "split \(split) of \(wire.debugDescription)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func decodesManyRepliesFedOneByteAtATimeOnAnEmbeddedChannel() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPValueDecoder()))
        let wire = Self.cases.map(\.0).joined()
        for byte in wire.utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        for (_, expected) in Self.cases {
            let value = try channel.readInbound(as: RESPValue.self)
            #expect(value == expected)
        }
        #expect(try channel.readInbound(as: RESPValue.self) == nil)
        _ = try channel.finish()
    }

    @Test(arguments: [
        "?what\r\n",
        ":12a\r\n",
        ":\r\n",
        "+OK\rX",
        "$3\r\nabcde\r\n",
        "$-2\r\n",
        "*-5\r\n",
        "#x\r\n",
        ",abc\r\n",
        "=3\r\ntxt\r\n",
        "_x\r\n",
        ":99999999999999999999999\r\n",
        "$?\r\n",
        "(12z\r\n",
    ])
    func rejectsMalformedReplies(wire: String) {
        var decoder = RESPValueDecoder()
        var buffer = ByteBuffer(string: wire)
        #expect(throws: RedisClientError.self) {
            _ = try decoder.decode(buffer: &buffer)
        }
    }

    @Test func malformedReplyIsAnErrorOnTheChannel() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPValueDecoder()))
        #expect(throws: RedisClientError.self) {
            try channel.writeInbound(ByteBuffer(string: "GARBAGE\r\n"))
        }
        _ = try? channel.finish()
    }

    @Test func enforcesLimits() throws {
        let limits = RESPDecoderLimits(maxBulkLength: 10, maxAggregateCount: 3, maxNestingDepth: 2, maxLineLength: 16)
        let tooMuch = [
            "$11\r\n",  // bulk over the limit is refused before its bytes arrive
            "*4\r\n",
            "%4\r\n",
            "*1\r\n*1\r\n*1\r\n:1\r\n",
            "+\(String(repeating: "x", count: 40))",  // no CRLF yet, but already over the line limit
        ]
        for wire in tooMuch {
            var decoder = RESPValueDecoder(limits: limits)
            var buffer = ByteBuffer(string: wire)
            #expect(throws: RedisClientError.self, "\(wire.debugDescription)") {
                _ = try decoder.decode(buffer: &buffer)
            }
        }
        var decoder = RESPValueDecoder(limits: limits)
        var fits = ByteBuffer(string: "*2\r\n*1\r\n$10\r\n0123456789\r\n:1\r\n")
        #expect(
            try decoder.decode(buffer: &fits) == .array([.array([.bulkString(ByteBuffer(string: "0123456789"))]), .integer(1)]))
    }

    @Test func hugeAggregateCountDoesNotAllocateUpFront() throws {
        var decoder = RESPValueDecoder()
        var buffer = ByteBuffer(string: "*1000000\r\n:1\r\n")
        #expect(try decoder.decode(buffer: &buffer) == nil)
    }

    @Test func encodesCommandsAsBulkStringArrays() {
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SET", "key", "välue", ""], into: &buffer)
        #expect(String(buffer: buffer) == "*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n$0\r\n\r\n")
        var bytes = ByteBuffer()
        RESPCommandEncoder.encode(
            [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: String(repeating: "x", count: 1234))], into: &bytes)
        #expect(String(buffer: bytes).hasPrefix("*2\r\n$7\r\nPUBLISH\r\n$1234\r\nxxx"))
    }

    @Test func encodesABatchAsTheCommandsBackToBack() {
        let commands = (0..<12).map { count in
            (0..<count).map { ByteBuffer(string: String(repeating: "a", count: $0 * 7)) }
        }
        var separately = ByteBuffer()
        for command in commands {
            RESPCommandEncoder.encode(command, into: &separately)
            #expect(RESPCommandEncoder.encodedLength(command) > 0)
        }
        var together = ByteBuffer()
        RESPCommandEncoder.encode(commands, into: &together)
        #expect(together == separately)
        // Strings and byte buffers encode alike; eleven arguments need a two-digit count.
        let strings = (0..<11).map { String(repeating: "é", count: $0) }
        var fromStrings = ByteBuffer()
        RESPCommandEncoder.encode(strings, into: &fromStrings)
        var fromBuffers = ByteBuffer()
        RESPCommandEncoder.encode(strings.map { ByteBuffer(string: $0) }, into: &fromBuffers)
        #expect(fromStrings == fromBuffers)
        #expect(String(buffer: fromStrings).hasPrefix("*11\r\n$0\r\n\r\n$2\r\né\r\n"))
        var empty = ByteBuffer()
        RESPCommandEncoder.encode([[ByteBuffer]](), into: &empty)
        #expect(empty.readableBytes == 0)
    }

    @Test func encodesPublishesLikeTheGeneralEncoder() {
        let messages = ["", "x", String(repeating: "y", count: 200), String(repeating: "z", count: 12_345)].map {
            ByteBuffer(string: $0)
        }
        for channel in ["c", "aws-realtime:ch:aws-metrics", String(repeating: "é", count: 70)] {
            var general = ByteBuffer()
            RESPCommandEncoder.encode(
                messages.map { [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: channel), $0] }, into: &general)
            var publishes = ByteBuffer()
            RESPCommandEncoder.encodePublishes(messages, to: channel, into: &publishes)
            #expect(publishes == general)
        }
    }

    @Test func smallIntegersTakeTheFastPathAndEverythingElseTheGeneralOne() throws {
        var decoder = RESPValueDecoder()
        for (wire, value) in [(":0\r\n", Int64(0)), (":42\r\n", 42), (":999999999999999999\r\n", 999_999_999_999_999_999)] {
            var fast = ByteBuffer(string: wire)
            #expect(RESPValueDecoder.readSmallInteger(&fast) == value)
            #expect(fast.readableBytes == 0)
        }
        // Negative, 19 digits, incomplete or malformed: untouched, left to the general path.
        for wire in [":-1\r\n", ":9223372036854775807\r\n", ":12", ":12\r", ":1x\r\n", ":\r\n", "+OK\r\n"] {
            var buffer = ByteBuffer(string: wire)
            #expect(RESPValueDecoder.readSmallInteger(&buffer) == nil)
            #expect(buffer.readableBytes == wire.utf8.count)
        }
        // Several at once, up to a limit, stopping at the first reply that is not one.
        var run = ByteBuffer(string: ":1\r\n:22\r\n:333\r\n+OK\r\n:4\r\n")
        var values: [RESPValue] = []
        #expect(RESPValueDecoder.readSmallIntegers(&run, limit: 2, into: &values) == 2)
        #expect(RESPValueDecoder.readSmallIntegers(&run, limit: 9, into: &values) == 1)
        #expect(values == [.integer(1), .integer(22), .integer(333)])
        #expect(String(buffer: run) == "+OK\r\n:4\r\n")
        var cut = ByteBuffer(string: ":5\r\n:6\r")
        #expect(RESPValueDecoder.readSmallIntegers(&cut, limit: 9, into: &values) == 1)
        #expect(String(buffer: cut) == ":6\r")
        var malformed = ByteBuffer(string: ":1x\r\n")
        #expect(throws: RedisClientError.self) { try decoder.decode(buffer: &malformed) }
        var overflow = ByteBuffer(string: ":9223372036854775808\r\n")
        #expect(throws: RedisClientError.self) { try decoder.decode(buffer: &overflow) }
        var crWithoutLF = ByteBuffer(string: ":12\rx")
        #expect(throws: RedisClientError.self) { try decoder.decode(buffer: &crWithoutLF) }
    }
}
