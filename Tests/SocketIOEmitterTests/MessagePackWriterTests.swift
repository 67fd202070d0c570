import Testing

@testable import SocketIOEmitter

/// Golden bytes for ``MessagePackWriter``, written by hand from `notepack.io`'s encoder
/// (`darrachequesne/notepack` `lib/encode.js`, `_encode`) and the MessagePack spec's format bytes.
@Suite struct MessagePackWriterTests {
    static func bytes(_ value: MessagePackValue) -> [UInt8] {
        var writer = MessagePackWriter()
        writer.write(value)
        return writer.bytes
    }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func join(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }

    @Test(
        arguments: [
            // positive fixint 0x00-0x7f: the value itself
            (Int64(0), [0x00]), (1, [0x01]), (127, [0x7f]),
            // uint 8 (0xcc) below 2^8
            (128, [0xcc, 0x80]), (255, [0xcc, 0xff]),
            // uint 16 (0xcd) below 2^16, big-endian
            (256, [0xcd, 0x01, 0x00]), (65_535, [0xcd, 0xff, 0xff]),
            // uint 32 (0xce) below 2^32
            (65_536, [0xce, 0x00, 0x01, 0x00, 0x00]), (4_294_967_295, [0xce, 0xff, 0xff, 0xff, 0xff]),
            // uint 64 (0xcf): notepack never uses a signed format for a non-negative value
            (4_294_967_296, [0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
            (Int64.max, [0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            // negative fixint 0xe0-0xff down to -32: two's complement in one byte
            (-1, [0xff]), (-32, [0xe0]),
            // int 8 (0xd0) down to -128: -33 = 0xdf
            (-33, [0xd0, 0xdf]), (-128, [0xd0, 0x80]),
            // int 16 (0xd1) down to -2^15: -129 = 0xff7f
            (-129, [0xd1, 0xff, 0x7f]), (-32_768, [0xd1, 0x80, 0x00]),
            // int 32 (0xd2) down to -2^31: -32769 = 0xffff7fff
            (-32_769, [0xd2, 0xff, 0xff, 0x7f, 0xff]), (-2_147_483_648, [0xd2, 0x80, 0x00, 0x00, 0x00]),
            // int 64 (0xd3): -2^31 - 1 = 0xffffffff7fffffff
            (-2_147_483_649, [0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]),
            (Int64.min, [0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        ] as [(Int64, [UInt8])])
    func integersTakeTheSmallestFormat(value: Int64, expected: [UInt8]) {
        #expect(Self.bytes(.int(value)) == expected)
        // A JavaScript number without a fraction is the same integer.
        if abs(Double(value)) < 9_007_199_254_740_992 { #expect(Self.bytes(.double(Double(value))) == expected) }
    }

    @Test func unsignedBeyondInt64() {
        #expect(Self.bytes(.uint(UInt64.max)) == [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }

    @Test(
        arguments: [
            // float 64 (0xcb), IEEE 754 big-endian. 1.5 = 1.1b x 2^0: exponent 1023 = 0x3ff, fraction
            // 0x8000000000000 -> 0x3ff8000000000000.
            (1.5, [0xcb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            // -2.5 = -1.01b x 2^1: sign 1, exponent 1024 = 0x400, fraction 0x4000000000000 -> 0xc004000000000000.
            (-2.5, [0xcb, 0xc0, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            // 0.1 = 1.6 x 2^-4: exponent 1019 = 0x3fb, fraction 0x999999999999a (rounded up) -> 0x3fb999999999999a.
            (0.1, [0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]),
            // Without a fraction: an integer, as in JavaScript (`2.0 === 2`; -0 is written as 0x00).
            (2.0, [0x02]), (-0.0, [0x00]), (-200.0, [0xd1, 0xff, 0x38]),
            // 2^32 as a number: uint 64.
            (4_294_967_296.0, [0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
            // 2^64 has no fraction but no 64-bit integer holds it: float 64, exponent 1023 + 64 = 0x43f.
            (18_446_744_073_709_551_616.0, [0xcb, 0x43, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            // Not finite: float 64 (exponent all ones).
            (Double.infinity, [0xcb, 0x7f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            (-Double.infinity, [0xcb, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        ] as [(Double, [UInt8])])
    func numbersWithAFractionAreFloat64(value: Double, expected: [UInt8]) {
        #expect(Self.bytes(.double(value)) == expected)
    }

    @Test func stringsByUTF8ByteLength() {
        // fixstr 0xa0 | n below 32 bytes
        #expect(Self.bytes(.string("")) == [0xa0])
        #expect(Self.bytes(.string("a")) == [0xa1, 0x61])
        #expect(Self.bytes(.string(String(repeating: "x", count: 31))) == [0xbf] + Array(repeating: 0x78, count: 31))
        // str 8 (0xd9, one length byte) from 32 to 255 bytes
        #expect(Self.bytes(.string(String(repeating: "x", count: 32))) == [0xd9, 0x20] + Array(repeating: 0x78, count: 32))
        #expect(Self.bytes(.string(String(repeating: "x", count: 255))) == [0xd9, 0xff] + Array(repeating: 0x78, count: 255))
        // str 16 (0xda, two length bytes) from 256 bytes
        #expect(
            Self.bytes(.string(String(repeating: "x", count: 256))) == [0xda, 0x01, 0x00] + Array(repeating: 0x78, count: 256))
        // str 32 (0xdb, four length bytes) from 65,536 bytes
        #expect(
            Self.bytes(.string(String(repeating: "x", count: 65_536)))
                == [0xdb, 0x00, 0x01, 0x00, 0x00] + Array(repeating: 0x78, count: 65_536))
        // UTF-8: é = U+00E9 = c3 a9; € = U+20AC = e2 82 ac; 😀 = U+1F600 = f0 9f 98 80 (one
        // surrogate pair in JavaScript, four bytes in notepack's utf8Write)
        #expect(Self.bytes(.string("é")) == [0xa2, 0xc3, 0xa9])
        #expect(Self.bytes(.string("€")) == [0xa3, 0xe2, 0x82, 0xac])
        #expect(Self.bytes(.string("😀")) == [0xa4, 0xf0, 0x9f, 0x98, 0x80])
        // The length counts bytes, not characters: 16 x é is 32 bytes, so str 8.
        #expect(
            Self.bytes(.string(String(repeating: "é", count: 16)))
                == [0xd9, 0x20] + Array([[UInt8]](repeating: [0xc3, 0xa9], count: 16).joined()))
    }

    @Test func nullAndBooleans() {
        #expect(Self.bytes(.null) == [0xc0])
        #expect(Self.bytes(.bool(false)) == [0xc2])
        #expect(Self.bytes(.bool(true)) == [0xc3])
    }

    @Test func arraysAndMapsByCount() {
        // fixarray 0x90 | n below 16, array 16 (0xdc), array 32 (0xdd)
        #expect(Self.bytes(.array([])) == [0x90])
        #expect(Self.bytes(.array(Array(repeating: .null, count: 15))) == [0x9f] + Array(repeating: 0xc0, count: 15))
        #expect(Self.bytes(.array(Array(repeating: .null, count: 16))) == [0xdc, 0x00, 0x10] + Array(repeating: 0xc0, count: 16))
        #expect(
            Self.bytes(.array(Array(repeating: .null, count: 65_536)))
                == [0xdd, 0x00, 0x01, 0x00, 0x00] + Array(repeating: 0xc0, count: 65_536))
        // fixmap 0x80 | n below 16, map 16 (0xde): keys as strings, in order
        #expect(Self.bytes(.map([])) == [0x80])
        #expect(Self.bytes(.map([.init("b", .int(1)), .init("a", .int(2))])) == [0x82, 0xa1, 0x62, 0x01, 0xa1, 0x61, 0x02])
        let sixteen = (0..<16).map { MessagePackValue.Entry(String(UnicodeScalar(UInt8(0x61 + $0))), .null) }
        let entries: [UInt8] = sixteen.flatMap { Self.join([0xa1], Self.ascii($0.key), [0xc0]) }
        #expect(Self.bytes(.map(sixteen)) == [0xde, 0x00, 0x10] + entries)
    }

    @Test func nestedValues() {
        // {"list": [1, -1, 1.5, "é", null, true, [], {}], "deep": [[[]]]}
        let value = MessagePackValue.map([
            .init("list", .array([.int(1), .int(-1), .double(1.5), .string("é"), .null, .bool(true), .array([]), .map([])])),
            .init("deep", .array([.array([.array([])])])),
        ])
        let expected: [UInt8] = Self.join(
            [0x82],  // fixmap, 2 entries
            [0xa4], Self.ascii("list"), [0x98],  // "list": fixarray, 8 elements
            [0x01, 0xff],  // 1, -1
            [0xcb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],  // 1.5
            [0xa2, 0xc3, 0xa9, 0xc0, 0xc3, 0x90, 0x80],  // "é", null, true, [], {}
            [0xa4], Self.ascii("deep"), [0x91, 0x91, 0x90],  // "deep": [[[]]]
        )
        #expect(Self.bytes(value) == expected)
    }
}
