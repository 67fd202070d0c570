import Testing
import TextFormats

@testable import SocketIOEmitter

/// JSON read as `JSON.parse` sees it, then written as `notepack.io` writes it: golden bytes by hand.
@Suite struct MessagePackValueJSONTests {
    static func transcode(_ json: String) throws -> [UInt8] {
        var writer = MessagePackWriter()
        writer.write(try MessagePackValue.reading(json: Array(json.utf8)))
        return writer.bytes
    }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func join(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }

    @Test func objectsKeepTheirKeyOrder() throws {
        // {"b":1,"a":[1.5,-3,"é",null,true,false,{},[]],"n":{"x":-200}}
        let expected: [UInt8] = Self.join(
            [0x83],  // fixmap, 3 entries, in the JSON's order (not sorted)
            [0xa1], Self.ascii("b"), [0x01],
            [0xa1], Self.ascii("a"), [0x98],  // fixarray, 8 elements
            [0xcb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],  // 1.5: float 64
            [0xfd],  // -3: negative fixint
            [0xa2, 0xc3, 0xa9],  // "é"
            [0xc0, 0xc3, 0xc2, 0x80, 0x90],  // null, true, false, {}, []
            [0xa1], Self.ascii("n"), [0x81, 0xa1], Self.ascii("x"), [0xd1, 0xff, 0x38],  // -200: int 16
        )
        #expect(
            try Self.transcode(#" {"b":1, "a":[1.5,-3,"\u00e9",null,true,false,{},[]],"n":{"x":-200}} "#) == expected)
    }

    @Test(
        arguments: [
            ("0", [0x00]), ("-0", [0x00]), ("-0.0", [0x00]),
            // JSON.parse("1.0") === 1 and 1e3 === 1000: integers, as notepack writes them
            ("1.0", [0x01]), ("1e3", [0xcd, 0x03, 0xe8]), ("-1E2", [0xd0, 0x9c]),
            // an exact integer beyond 2^53 keeps its value: 2^53 + 1 = 0x0020000000000001
            ("9007199254740993", [0xcf, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]),
            ("18446744073709551615", [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            // 2^64 no longer fits: a float 64 (exponent 0x43f)
            ("18446744073709551616", [0xcb, 0x43, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            ("0.1", [0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]),
            ("-2.5e0", [0xcb, 0xc0, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        ] as [(String, [UInt8])])
    func numbersAsJavaScriptSeesThem(json: String, expected: [UInt8]) throws {
        #expect(try Self.transcode(json) == expected)
    }

    @Test func stringEscapes() throws {
        // \" \\ \/ \b \f \n \r \t: 8 one-byte characters
        #expect(try Self.transcode(#""\"\\\/\b\f\n\r\t""#) == [0xa8, 0x22, 0x5c, 0x2f, 0x08, 0x0c, 0x0a, 0x0d, 0x09])
        // a surrogate pair is one scalar, U+1F600, four UTF-8 bytes; raw UTF-8 passes through
        #expect(try Self.transcode(#""\ud83d\ude00""#) == [0xa4, 0xf0, 0x9f, 0x98, 0x80])
        #expect(try Self.transcode("\"€\"") == [0xa3, 0xe2, 0x82, 0xac])
        // a lone surrogate cannot be UTF-8: U+FFFD (ef bf bd)
        #expect(try Self.transcode(#""\ud800x""#) == [0xa4, 0xef, 0xbf, 0xbd, 0x78])
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "tru", "01x", "01", "-01", "+1", ".5", "NaN", "\"a", "\"\u{01}\"", "1 2", "-", "1.", "1e",
        "\"\\x\"",
    ])
    func invalidJSONIsRefused(json: String) {
        #expect(throws: JSONSyntaxError.self) { try MessagePackValue.reading(json: Array(json.utf8)) }
    }

    @Test func nestingIsBounded() throws {
        let depth = JSONDocument.maximumDepth
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(throws: JSONSyntaxError.self) { _ = try MessagePackValue.reading(json: Array(tooDeep.utf8)) }
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect((try? MessagePackValue.reading(json: Array(deepest.utf8))) != nil)
    }
}
