import Foundation
import Testing
import Worker

@Suite struct IncrementalCursorTests {
    typealias Mark = IncrementalCursor.Mark

    static func marks(_ pairs: [(Int64, String)]) -> [Mark] {
        pairs.map { Mark(time: $0.0, id: $0.1) }
    }

    @Test func anEmptyCursorKeepsEverythingSortedAndUnique() {
        let cursor = IncrementalCursor()
        #expect(cursor.isEmpty)
        let events = Self.marks([(3, "c"), (1, "b"), (1, "a"), (3, "c"), (2, "z")])
        #expect(cursor.filter(events) { $0 } == Self.marks([(1, "a"), (1, "b"), (2, "z"), (3, "c")]))
        #expect(cursor.filter([Mark]()) { $0 } == [])
        let fallback = Date(timeIntervalSince1970: 42)
        #expect(cursor.startDate(or: fallback) == fallback)
        #expect(cursor.encoded() == [:])
    }

    @Test func eventsSharingTheBoundaryAreNeitherSkippedNorRepeated() {
        var cursor = IncrementalCursor()
        cursor.advance(past: Self.marks([(1_000, "a"), (2_000, "b"), (2_000, "c")]))
        #expect(cursor.time == 2_000)
        #expect(cursor.seenIDs == ["b", "c"])
        #expect(cursor.startDate(or: .distantPast) == Date(timeIntervalSince1970: 2))

        // The next query starts at 2,000 inclusive: b and c come again, d arrived late at 2,000.
        let again = Self.marks([(1_000, "a"), (2_000, "c"), (2_000, "d"), (2_000, "b"), (2_001, "e")])
        let new = cursor.filter(again) { $0 }
        #expect(new == Self.marks([(2_000, "d"), (2_001, "e")]))

        cursor.advance(past: new[0])
        #expect(cursor.seenIDs == ["b", "c", "d"])
        cursor.advance(past: new[1])
        #expect(cursor.time == 2_001)
        #expect(cursor.seenIDs == ["e"])
        #expect(cursor.filter(again) { $0 } == [])
    }

    @Test func advancingIsIdempotentAndNeverGoesBack() {
        var cursor = IncrementalCursor(time: 5, seenIDs: ["x"])
        cursor.advance(past: Mark(time: 4, id: "old"))
        cursor.advance(past: Mark(time: 5, id: "x"))
        #expect(cursor == IncrementalCursor(time: 5, seenIDs: ["x"]))
    }

    @Test func theSeenIDsAreBoundedByMovingPastTheBoundary() {
        var cursor = IncrementalCursor(seenIDLimit: 3)
        cursor.advance(past: Self.marks([(10, "a"), (10, "b"), (10, "c")]))
        #expect(cursor.time == 10)
        #expect(cursor.seenIDs.count == 3)
        // A fourth event at the same millisecond: the cursor moves 1 ms past and forgets the ids,
        // so the four are never published again (a fifth arriving later at 10 would be skipped).
        cursor.advance(past: Mark(time: 10, id: "d"))
        #expect(cursor.time == 11)
        #expect(cursor.seenIDs == [])
        #expect(cursor.filter(Self.marks([(10, "a"), (10, "e"), (11, "f")])) { $0 } == Self.marks([(11, "f")]))

        // Decoding a stored cursor with more ids than the limit applies the same rule.
        let decoded = IncrementalCursor(time: 7, seenIDs: ["1", "2", "3", "4"], seenIDLimit: 3)
        #expect(decoded.time == 8)
        #expect(decoded.seenIDs == [])
    }

    @Test func encodesAndDecodesUnderItsKeys() throws {
        let ids = ["arn:aws:securityhub:eu-west-1:123456789012:finding/a,b", "quote\"d", "ünï"]
        let cursor = IncrementalCursor(time: 1_795_744_984_000, seenIDs: ids)
        let stored = cursor.encoded()
        #expect(stored["t"] == "1795744984000")
        #expect(try IncrementalCursor(decoding: stored) == cursor)

        var logs = ["other": "kept"]
        cursor.encode(into: &logs, keys: .logGroup("/aws/lambda/orders"))
        #expect(logs["t:/aws/lambda/orders"] == "1795744984000")
        #expect(logs["ids:/aws/lambda/orders"]?.hasPrefix("[\"arn:aws:securityhub:eu-west-1:") == true)
        #expect(logs["other"] == "kept")
        #expect(try IncrementalCursor(decoding: logs, keys: .logGroup("/aws/lambda/orders")) == cursor)
        #expect(try IncrementalCursor(decoding: logs, keys: .logGroup("/other")).isEmpty)

        IncrementalCursor().encode(into: &logs, keys: .logGroup("/aws/lambda/orders"))
        #expect(logs == ["other": "kept"])
    }

    @Test func anUnreadableCursorIsAnErrorNamingItsKey() {
        #expect(throws: IncrementalCursorError.self) { try IncrementalCursor(decoding: ["t": "yesterday"]) }
        do {
            _ = try IncrementalCursor(decoding: ["t": "1", "ids": "{"])
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "ids")
        }
        #expect((try? IncrementalCursor(decoding: ["t": "1"]))?.seenIDs == [])
    }

    @Test func millisecondsSurviveBinaryFloatingPoint() {
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 1_589_086_345.905)) == 1_589_086_345_905)
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 1.637257262E9)) == 1_637_257_262_000)
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 10.1239)) == 10_123)
        #expect(IncrementalCursor.Mark(date: Date(timeIntervalSince1970: 2.5), id: "x").time == 2_500)
    }
}
