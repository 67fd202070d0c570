import AWSCapture
import AWSCore
import Testing
import TextFormats

@Suite struct CaptureFileTests {
    @Test func jsonKeepsMemberOrderAndNumberSpelling() throws {
        let text = #"{"b":1.637257262E9,"a":[true,null,"x\"y\u00e9"],"c":{}}"#
        let value = try JSONDocument.parse(text)
        #expect(value["b"] == .number("1.637257262E9"))
        #expect(try JSONDocument.parse(value.compactText) == value)
        #expect(value.compactText == #"{"b":1.637257262E9,"a":[true,null,"x\"yé"],"c":{}}"#)
    }

    @Test(arguments: ["{", "[1,]", #"{"a":1}x"#, "01", "nul"])
    func jsonRejectsInvalidText(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONDocument.parse(text) }
    }

    @Test func bodiesAreStoredInTheMostReadableExactForm() throws {
        #expect(CaptureFile.encodeBody(Array(#"{"a":1}"#.utf8)) == .object([.init("json", .object([.init("a", .number("1"))]))]))
        #expect(CaptureFile.encodeBody(Array(#"{"a": 1}"#.utf8)) == .object([.init("text", .string(#"{"a": 1}"#))]))
        #expect(
            CaptureFile.encodeBody(Array("<a>\n  <b/>\n</a>".utf8))
                == .object([.init("text", .array([.string("<a>"), .string("  <b/>"), .string("</a>")]))]))
        #expect(CaptureFile.encodeBody([0xff, 0x00, 0x41]) == .object([.init("base64", .string("/wBB"))]))
        // A lone surrogate escape reads as U+FFFD, which would not write back the same: kept as text.
        #expect(
            CaptureFile.encodeBody(Array(#"{"a":"\ud800"}"#.utf8)) == .object([.init("text", .string(#"{"a":"\ud800"}"#))]))
        #expect(CaptureFile.encodeBody([]) == nil)
    }

    @Test func captureRoundTripsThroughItsFile() throws {
        let bodies: [[UInt8]] = [
            Array(#"{"Events":[{"EventTime":1.637257262E9}]}"#.utf8), Array("<x>\n</x>\n".utf8), [0, 1, 2, 255], [],
        ]
        for body in bodies {
            let capture = Capture(
                name: "0001-logs-FilterLogEvents.json",
                note: "a note",
                request: CapturedRequest(
                    method: "POST",
                    host: "logs.eu-west-1.amazonaws.com",
                    path: "/",
                    query: "a=1",
                    headers: [
                        AWSHTTPHeader("X-Amz-Target", "Logs_20140328.FilterLogEvents"), AWSHTTPHeader("X-Dup", "1"),
                        AWSHTTPHeader("X-Dup", "2"),
                    ],
                    body: body
                ),
                response: CapturedResponse(status: 200, headers: [AWSHTTPHeader("Content-Type", "text/xml")], body: body)
            )
            let decoded = try CaptureFile.decode(CaptureFile.encode(capture), name: capture.name)
            #expect(decoded == capture)
        }
    }

    @Test func failedExchangesAreCapturedWithoutAResponse() throws {
        let capture = Capture(
            name: "x.json", request: CapturedRequest(method: "GET", path: "/"), response: nil, transportError: "reset")
        #expect(try CaptureFile.decode(CaptureFile.encode(capture), name: "x.json") == capture)
    }

    @Test func handWrittenBodiesMayBeBareStrings() throws {
        let file =
            #"{"format":"aws-realtime-capture/1","request":{"method":"GET","path":"/"},"response":{"status":200,"body":"hi"}}"#
        #expect(try CaptureFile.decode(Array(file.utf8), name: "x.json").response?.body == Array("hi".utf8))
    }

    @Test func invalidFilesSayWhatIsWrong() {
        let file = #"{"format":"aws-realtime-capture/1","request":{"method":"GET","path":"/"},"response":{"status":"200"}}"#
        #expect {
            try CaptureFile.decode(Array(file.utf8), name: "bad.json")
        } throws: { error in
            guard let error = error as? CaptureError else { return false }
            return error.code == .invalidCapture && error.file == "bad.json" && error.message.contains("status")
        }
    }
}
