import Testing

@testable import TextFormats

@Suite struct JSONDocumentTests {
    @Test func aDocumentKeepsMemberOrderRepetitionAndNumberSpelling() throws {
        let text = #"{"b":1.637257262E9,"a":[1,-0.5e-3,"x",null,true,false,{},[]],"b":0}"#
        let document = try JSONDocument.parse(text)
        #expect(document.compactText == text)
        guard case .object(let members) = document else {
            Issue.record("not an object: \(document)")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "b"])
        // The last of repeated members, as JSON.parse reads it.
        #expect(document["b"] == .number("0"))
        #expect(members.first?.value.doubleValue == 1_637_257_262)
        #expect(document["a"]?.stringValue == nil)
        #expect(document["missing"] == nil)
    }

    @Test func surroundingWhitespaceIsAllowedAndDropped() throws {
        #expect(try JSONDocument.parse(" \t\r\n[ 1 , { \"k\" : \"v\" } ]\n").compactText == #"[1,{"k":"v"}]"#)
    }

    @Test func escapesAreReadAndWrittenBack() throws {
        let document = try JSONDocument.parse(#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#)
        #expect(document.stringValue == "\"\\/\u{08}\u{0C}\n\r\t\u{E9}\u{1F600}")
        #expect(try JSONDocument.parse(document.compactText) == document)
    }

    /// As `JSON.parse` then UTF-8: a surrogate without its other half has no scalar of its own.
    @Test(arguments: [
        (#""\ud800x""#, "\u{FFFD}x"), (#""\udc00""#, "\u{FFFD}"), (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\ud800\ud800\udc00""#, "\u{FFFD}\u{10000}"),
    ])
    func aLoneSurrogateIsTheReplacementCharacter(json: String, expected: String) throws {
        #expect(try JSONDocument.parse(json).stringValue == expected)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "tru", "nul", "01", "-01", "+1", ".5", "1.",
        "1e", "1e+", "-", "NaN", "Infinity", "\"a", "\"\u{01}\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "1 2", "[1] x",
        "'a'",
    ])
    func anythingElseIsRefusedWithWhereAndWhy(json: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONDocument.parse(json) }
        do {
            _ = try JSONDocument.parse(json)
        } catch {
            #expect(error.description.hasPrefix("invalid JSON at byte "), "\(error)")
            #expect(error.offset >= 0 && error.offset <= json.utf8.count, "\(error)")
        }
    }

    @Test func nestingIsBoundedWithoutExhaustingTheStack() throws {
        let depth = JSONDocument.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONDocument.parse(deepest) }
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(throws: JSONSyntaxError.self) { try JSONDocument.parse(tooDeep) }
        // A hostile depth: refused at the bound, long before the end.
        #expect(throws: JSONSyntaxError.self) { try JSONDocument.parse(String(repeating: "[{\"a\":", count: 100_000)) }
    }

    @Test func prettyTextIndentsAndKeepsShortScalarListsOnOneLine() throws {
        let document = try JSONDocument.parse(#"{"headers":["Content-Type","text/xml"],"body":{"n":1}}"#)
        #expect(
            document.prettyText == """
                {
                  "headers": ["Content-Type", "text/xml"],
                  "body": {
                    "n": 1
                  }
                }
                """)
    }
}
