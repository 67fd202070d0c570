import Testing

@testable import AWSCore

@Suite struct XMLToJSONTests {
    /// 40,000 repeated elements (a flattened list, 320 KB) convert to one array of them all, in
    /// order. (The conversion was quadratic here: `aws-realtime call` against such an answer took
    /// seconds of CPU; see the README's numbers.)
    @Test func manyRepeatedElementsBecomeOneArray() throws {
        let count = 40_000
        var xml = "<R>"
        for index in 0..<count { xml += "<x>\(index % 10)</x>" }
        xml += "<y>last</y></R>"
        let json = try XMLToJSON.convert(Array(xml.utf8))
        let items = try #require(json["R"]?["x"]?.arrayValue)
        #expect(items.count == count)
        #expect(Array(items[0..<12]) == (0..<12).map { JSONValue.string("\($0 % 10)") })
        #expect(json["R"]?["y"] == .string("last"))
    }

    @Test func manyMembersBecomeOneArray() throws {
        let xml = "<R><Metrics>" + String(repeating: "<member><N>a</N></member>", count: 20_000) + "</Metrics></R>"
        let json = try XMLToJSON.convert(Array(xml.utf8))
        #expect(json["R"]?["Metrics"]?.arrayValue?.count == 20_000)
    }

    /// An empty element known to be a list is `[]`, as the SDKs print it; other empty elements
    /// stay `""`; a one-member list is still a list.
    @Test func emptyElementsKnownToBeListsAreEmptyArrays() throws {
        let xml =
            "<R><Metrics/><Values></Values><Timestamps>\n  </Timestamps><NextToken/><Label></Label>"
            + "<Dimensions><member><Name>A</Name></member></Dimensions></R>"
        let json = try XMLToJSON.convert(Array(xml.utf8), listElements: ["Metrics", "Values", "Timestamps", "Dimensions"])
        #expect(json["R"]?["Metrics"] == .array([]))
        #expect(json["R"]?["Values"] == .array([]))
        #expect(json["R"]?["Timestamps"] == .array([]))
        #expect(json["R"]?["NextToken"] == .string(""))
        #expect(json["R"]?["Label"] == .string(""))
        #expect(json["R"]?["Dimensions"] == .array([.object(["Name": .string("A")])]))
        // Without the knowledge, XML cannot tell: an empty string.
        #expect(try XMLToJSON.convert(Array(xml.utf8))["R"]?["Metrics"] == .string(""))
    }

    @Test func cloudWatchListMembersComeFromTheServiceModel() throws {
        let body =
            #"<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult>"#
            + "<Metrics/><OwningAccounts/></ListMetricsResult><ResponseMetadata><RequestId>r</RequestId>"
            + "</ResponseMetadata></ListMetricsResponse>"
        let json = try QueryProtocol.decodeResponse(
            operation: "ListMetrics", body: Array(body.utf8), listElements: QueryListMembers.of(.cloudWatch))
        #expect(json == .object(["Metrics": .array([]), "OwningAccounts": .array([])]))
        #expect(QueryListMembers.of(.sts).isEmpty)
        #expect(QueryListMembers.of(.cloudWatchLogs).isEmpty)
    }
}
