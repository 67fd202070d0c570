import Payloads
import Testing

@Suite struct EnvelopeViewTests {
    /// The text of each value `EnvelopeView` finds in `json`, or nil when it finds the object malformed.
    private func values(
        _ keys: Set<String>, in json: String, reading extent: EnvelopeView.Extent = .wholeObject
    ) -> [String: String]? {
        let bytes = Array(json.utf8)
        let ranges = bytes.withUnsafeBytes { EnvelopeView.valueRanges(of: keys, in: $0, reading: extent) }
        return ranges?.mapValues { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func valuesAreTheirBytesAsWrittenWhereverTheWhitespaceFalls() {
        let json = #" { "v" : 1 , "type":"aws-metrics","data" : { "series" : [ 1, -2.5e3, "x\"}" ] } , "id": "1-0" } "#
        #expect(
            values(["type", "data", "id"], in: json)
                == ["type": #""aws-metrics""#, "data": #"{ "series" : [ 1, -2.5e3, "x\"}" ] }"#, "id": #""1-0""#])
        #expect(values(["absent"], in: json) == [:])
        #expect(values([], in: "{}") == [:])
    }

    @Test func onlyTopLevelKeysCount() {
        #expect(values(["type"], in: #"{"v":1,"data":{"type":"x"}}"#) == [:])
    }

    @Test(arguments: [
        "", "[]", "{", #"{"a":1"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#, #"{"a":1} x"#, #"{"a":tru}"#,
        #"{"a":"unterminated}"#, "{\"a\":\"raw\u{1}control\"}", #"{"a":[1,2}"#, #"{"a":1,,"b":2}"#,
    ])
    func malformedObjectsAreNil(_ json: String) {
        #expect(values(["a"], in: json) == nil)
    }

    @Test func nestingIsBoundedAt64() {
        let nested = { (depth: Int) in
            #"{"a":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        }
        #expect(values(["a"], in: nested(64)) != nil)
        #expect(values(["a"], in: nested(65)) == nil)
        // Far deeper than the bound: refused without recursing that deep.
        #expect(values(["a"], in: nested(100_000)) == nil)
    }

    @Test func untilAllFoundReadsNoFurtherThanTheLastKey() {
        let truncated = #"{"v":1,"type":"health","account":"123456789012","data":[1,"#
        #expect(
            values(["type", "account"], in: truncated, reading: .untilAllFound) == [
                "type": #""health""#, "account": #""123456789012""#,
            ])
        #expect(values(["type"], in: truncated) == nil)
        // A key absent: the whole object is read, and must be well formed.
        #expect(values(["type", "region"], in: truncated, reading: .untilAllFound) == nil)
        #expect(
            values(["type", "region"], in: #"{"type":"health","data":[]}"#, reading: .untilAllFound) == ["type": #""health""#])
        // Malformed before the key: nil.
        #expect(values(["type"], in: #"{"v":1,,"type":"x"}"#, reading: .untilAllFound) == nil)
    }
}
