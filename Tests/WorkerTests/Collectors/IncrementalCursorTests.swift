import Foundation
import TestSupport
import Testing

@testable import Worker

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

    /// The point of the overlap window: an event that shows up late, with a time before the newest
    /// event published, is published once; the events published already are not.
    @Test func aLateEventInsideTheWindowIsPublishedOnceAndTheRestNotAgain() {
        var cursor = IncrementalCursor()
        cursor.begin(at: 0)
        let first = Self.marks([(1_000, "a"), (2_000, "b"), (2_000, "c")])
        cursor.record(first)
        cursor.cover(until: 5_000, overlap: 3_000)
        #expect(cursor.start == 2_000)
        #expect(cursor.startDate(or: .distantPast) == Date(timeIntervalSince1970: 2))

        // The next query starts at 2,000: b and c come again, d at 2,000 and e at 2,500 were
        // delivered late (older than the newest event published before), f is new.
        let again = Self.marks([(2_000, "c"), (2_000, "d"), (2_000, "b"), (2_500, "e"), (4_000, "f")])
        let new = cursor.filter(again) { $0 }
        #expect(new == Self.marks([(2_000, "d"), (2_500, "e"), (4_000, "f")]))
        cursor.record(new)
        #expect(cursor.filter(again) { $0 } == [])
        // An event before the start was either published or lies outside the window: dropped.
        #expect(cursor.filter(Self.marks([(1_999, "late")])) { $0 } == [])
    }

    @Test func coveringMovesTheStartForwardOnlyAndForgetsWhatFellBehind() {
        var cursor = IncrementalCursor(start: 10_000, published: Self.marks([(10_000, "a"), (12_000, "b")]))
        cursor.cover(until: 13_000, overlap: 2_000)
        #expect(cursor.start == 11_000)
        #expect(cursor.seenCount == 1)
        cursor.cover(until: 12_000, overlap: 2_000)
        #expect(cursor.start == 11_000)
        // A huge overlap cannot move the start before where it is, nor overflow.
        cursor.cover(until: Int64.min + 5, overlap: Int64.max)
        #expect(cursor.start == 11_000)
    }

    @Test func anUpdateOfAnEventAtANewTimeIsNewButTheSameUpdateIsNot() {
        var cursor = IncrementalCursor(start: 0)
        cursor.record([Mark(time: 1_000, id: "finding-1")])
        #expect(cursor.filter([Mark(time: 1_000, id: "finding-1")]) { $0 } == [])
        #expect(cursor.filter([Mark(time: 1_500, id: "finding-1")]) { $0 } == [Mark(time: 1_500, id: "finding-1")])
    }

    @Test func theSeenSetIsBoundedByShrinkingTheWindowOldestTimesFirst() {
        var cursor = IncrementalCursor(start: 0, seenLimit: 3)
        cursor.record(Self.marks([(10, "a"), (10, "b"), (20, "c")]))
        #expect(cursor.start == 0)
        #expect(cursor.seenCount == 3)
        // A fourth event: the oldest millisecond (10) is forgotten whole and the start moves past
        // it, so a and b are never published again (a late event at 10 would be skipped).
        cursor.record([Mark(time: 30, id: "d")])
        #expect(cursor.start == 11)
        #expect(cursor.seenCount == 2)
        #expect(cursor.evictedTimes == 1)
        #expect(cursor.filter(Self.marks([(10, "a"), (10, "e"), (20, "c"), (25, "f")])) { $0 } == Self.marks([(25, "f")]))
    }

    @Test func encodesAndDecodesUnderItsKeys() throws {
        let ids = ["arn:aws:securityhub:eu-west-1:123456789012:finding/a,b", "quote\"d", "ünï", "x:y;z.w"]
        let cursor = IncrementalCursor(
            start: 1_795_744_984_000, published: ids.enumerated().map { Mark(time: 1_795_744_984_000 + Int64($0 / 2), id: $1) })
        let stored = cursor.encoded()
        #expect(stored["w"] == "1795744984000")
        #expect(stored["seen"]?.hasPrefix("0:") == true)
        #expect(stored["seen"]?.contains(";1:") == true)
        #expect(try IncrementalCursor(decoding: stored) == cursor)

        var logs = ["other": "kept", "t:/aws/lambda/orders": "1", "ids:/aws/lambda/orders": "[]"]
        cursor.encode(into: &logs, keys: .logGroup("/aws/lambda/orders"))
        #expect(logs["w:/aws/lambda/orders"] == "1795744984000")
        #expect(logs["t:/aws/lambda/orders"] == nil)
        #expect(logs["ids:/aws/lambda/orders"] == nil)
        #expect(logs["other"] == "kept")
        #expect(try IncrementalCursor(decoding: logs, keys: .logGroup("/aws/lambda/orders")) == cursor)
        #expect(try IncrementalCursor(decoding: logs, keys: .logGroup("/other")).isEmpty)

        IncrementalCursor().encode(into: &logs, keys: .logGroup("/aws/lambda/orders"))
        #expect(logs == ["other": "kept"])
    }

    /// A cursor written by the worker before overlap windows (`t`, `ids`) continues where it stood.
    @Test func readsTheCursorOfTheFormerFormat() throws {
        let cursor = try IncrementalCursor(decoding: ["t": "5000", "ids": #"["x","y"]"#])
        #expect(cursor.start == 5_000)
        #expect(
            cursor.filter(Self.marks([(4_999, "old"), (5_000, "x"), (5_000, "z"), (5_001, "y")])) { $0 }
                == Self.marks([(5_000, "z"), (5_001, "y")]))
    }

    @Test func anUnreadableCursorIsAnErrorNamingItsKey() {
        #expect(throws: IncrementalCursorError.self) { try IncrementalCursor(decoding: ["w": "yesterday"]) }
        #expect(throws: IncrementalCursorError.self) { try IncrementalCursor(decoding: ["t": "yesterday"]) }
        for (seen, reason) in [
            ("{", "groups"), ("0:abc", "hash"), ("-1:0123456789abcdef", "groups"),
            ("9223372036854775807:0123456789abcdef", "offset"),
        ] {
            do {
                _ = try IncrementalCursor(decoding: ["w": "1", "seen": seen])
                Issue.record("expected an error for \(seen)")
            } catch {
                #expect(error.key == "seen")
                #expect(error.message.contains(reason))
            }
        }
        do {
            _ = try IncrementalCursor(decoding: ["t": "1", "ids": "{"])
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "ids")
        }
        #expect((try? IncrementalCursor(decoding: ["w": "1"]))?.seenCount == 0)
    }

    /// A stored value cannot make the decoder work without bound: past twice the limit it stops.
    @Test func decodingIsBounded() {
        let entries = (0..<50).map { String(format: "%016x", $0) }.joined(separator: ".")
        #expect(throws: IncrementalCursorError.self) {
            try IncrementalCursor(decoding: ["w": "1", "seen": "0:" + entries], seenLimit: 10)
        }
    }

    @Test func millisecondsSurviveBinaryFloatingPoint() {
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 1_589_086_345.905)) == 1_589_086_345_905)
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 1.637257262E9)) == 1_637_257_262_000)
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 10.1239)) == 10_123)
        #expect(IncrementalCursor.Mark(date: Date(timeIntervalSince1970: 2.5), id: "x")?.time == 2_500)
    }

    /// Dates an endpoint can send that have no place on the line: before 1970, after 9999, not finite.
    @Test func datesOutsideTheYears1970To9999HaveNoMark() {
        for seconds in [-1.0, 1e300, 253_402_300_800, .infinity, -.infinity, .nan] {
            #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: seconds)) == nil)
            #expect(IncrementalCursor.Mark(date: Date(timeIntervalSince1970: seconds), id: "x") == nil)
        }
        #expect(IncrementalCursor.milliseconds(Date(timeIntervalSince1970: 253_402_300_799)) == 253_402_300_799_000)
    }

    /// An event without its time, or with one off the line, is skipped with a warning that names
    /// the API, the field and the event.
    @Test func checkedSkipsAnEventWithoutATimeOrWithOneOffTheLineAndSaysWhere() {
        let (logger, records) = CapturingLogHandler.logger()
        #expect(Mark.checked(nil, id: "e-1", operation: "LookupEvents", field: "EventTime", logger: logger) == nil)
        #expect(
            Mark.checked(
                Date(timeIntervalSince1970: 1e300), id: "e-2", operation: "GetFindings", field: "UpdatedAt", logger: logger)
                == nil)
        #expect(
            Mark.checked(
                Date(timeIntervalSince1970: 2.5), id: "e-3", operation: "GetFindings", field: "UpdatedAt", logger: logger)
                == Mark(time: 2_500, id: "e-3"))
        let lines = records.all.map(\.line)
        #expect(lines.count == 2)
        #expect(
            lines.first == "warning Event skipped: it has no time aws.event.id=e-1 aws.field=EventTime aws.operation=LookupEvents"
        )
        #expect(
            lines.last?.hasPrefix("warning Event skipped: its time is outside 1970 to 9999 aws.event.id=e-2 aws.field=UpdatedAt")
                == true)
    }
}
