import Testing
import TextFormats

@Suite struct JSONStringTests {
    @Test func quotesBackslashesAndControls() {
        #expect(JSONString.literal("a\"b\\c") == #""a\"b\\c""#)
        #expect(JSONString.literal("\n\r\t\u{0}\u{1F}") == #""\n\r\t\u0000\u001f""#)
        #expect(JSONString.escaped("q\"\\\n\u{1}") == #"q\"\\\n\u0001"#)
    }

    @Test func minimalLeavesBackspaceFormFeedAsHexAndDeleteAsIs() {
        #expect(JSONString.literal("\u{08}\u{0C}\u{7F}") == "\"\\u0008\\u000c\u{7F}\"")
        #expect(JSONString.literal("\u{08}\u{0C}\u{7F}", style: .shortFormsAndDelete) == #""\b\f\u007f""#)
    }

    @Test func nonASCIIStaysAsIs() {
        #expect(JSONString.literal("\u{2028}é😀") == "\"\u{2028}é😀\"")
        var output = "x"
        JSONString.append("😀\"", to: &output, style: .shortFormsAndDelete)
        #expect(output == "x\"😀\\\"\"")
    }
}

@Suite struct PrometheusTextTests {
    @Test func labelValuesAreEscaped() {
        #expect(PrometheusLabel.escape("ThrottlingException") == "ThrottlingException")
        #expect(PrometheusLabel.escape(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusLabel.pair("code", #"x"} 1"#) == #"code="x\"} 1""#)
    }

    @Test func familiesHaveHelpTypeAndSamples() {
        var text = PrometheusText()
        text.append("x_total", .counter, help: "Xs.", [("", "3")])
        text.append("y", .gauge, help: "Ys.", [("a=\"1\"", "0"), ("a=\"2\"", "1.5")])
        #expect(
            text.text
                == "# HELP x_total Xs.\n# TYPE x_total counter\nx_total 3\n# HELP y Ys.\n# TYPE y gauge\ny{a=\"1\"} 0\ny{a=\"2\"} 1.5\n"
        )
    }
}
