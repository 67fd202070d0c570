import Testing
import TextFormats

@Suite struct TextTemplateTests {
    @Test func fillsSlotsAndKeepsMissingOnesAndAnUnclosedBrace() {
        #expect(TextTemplate("a {{x}} b {{y}} {{").render(["x": "1"]) == "a 1 b {{y}} {{")
        #expect(TextTemplate("{{x}}{{x}}").render(["x": "é"]) == "éé")
        #expect(TextTemplate("").render([:]) == "")
    }

    @Test func splitsOnceIntoTextAndSlots() {
        #expect(TextTemplate("<p a=\"{{n}}\">").pieces == [.text("<p a=\""), .slot("n"), .text("\">")])
        #expect(TextTemplate("no slots }} {{").pieces == [.text("no slots }} {{")])
    }
}
