import Bus
import Payloads
import Testing

@testable import Gateway

/// The SSE event id: every stream's position, read back from `Last-Event-ID` in either form.
struct StreamPositionsTests {
    private func id(_ text: String) -> BusMessageID? { BusMessageID(text) }

    @Test func eventIDCarriesThePositionsOfTheConnectionsStreamsInTheirOrder() {
        var positions = StreamPositions()
        positions[.costs] = id("30-0")
        positions[.metrics] = id("10-1")
        positions[.logs] = id("20-0")
        #expect(positions.eventID(for: StreamSet([.costs, .metrics])) == "aws-metrics:10-1,aws-costs:30-0")
        #expect(positions.eventID(for: StreamSet([.logs])) == "aws-logs:20-0")
        // A stream without a position is left out.
        #expect(positions.eventID(for: StreamSet([.health, .logs])) == "aws-logs:20-0")
        #expect(positions.eventID(for: []) == "")
    }

    @Test func readsEveryPositionOfAnEventIDItWrote() throws {
        var positions = StreamPositions()
        for (index, stream) in StreamName.allCases.enumerated() {
            positions[stream] = BusMessageID(milliseconds: 1_732_665_600_000 + UInt64(index), sequence: UInt64(index))
        }
        let text = positions.eventID(for: StreamSet(StreamName.allCases))
        #expect(text.utf8.count <= StreamPositions.maxEventIDLength)
        #expect(StreamPositions.resumePoint(from: text) == .perStream(positions))
    }

    @Test func theOldSingleIDStandsForEveryStream() throws {
        let point = try #require(StreamPositions.resumePoint(from: "1732665600000-3"))
        #expect(point == .everyStream(BusMessageID(milliseconds: 1_732_665_600_000, sequence: 3)))
        #expect(point.since(.health) == id("1732665600000-3"))
        #expect(point.since(.metrics) == id("1732665600000-3"))
    }

    @Test func aStreamWithoutAPositionStartsFromItsSnapshot() throws {
        let point = try #require(StreamPositions.resumePoint(from: "aws-logs:5-0,aws-zebras:9-9"))
        #expect(point.since(.logs) == id("5-0"))
        #expect(point.since(.metrics) == nil)
    }

    @Test(arguments: [
        "yesterday", "aws-logs:", "aws-logs:5-x", "aws-logs:5-0,", "aws-logs:5-0,aws-logs:6-0", ":5-0", "aws-logs",
        String(repeating: "aws-logs:1-0,", count: 60) + "aws-costs:1-0",
    ])
    func refusesMalformedIDs(text: String) {
        #expect(StreamPositions.resumePoint(from: text) == nil)
    }
}
