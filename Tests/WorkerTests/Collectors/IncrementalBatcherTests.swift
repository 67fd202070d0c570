import Foundation
import Testing

@testable import Worker

@Suite struct IncrementalBatcherTests {
    struct Item: Codable, Equatable {
        var id: String
        var text: String
    }

    struct Payload: Decodable, Equatable {
        var events: [Item]
    }

    static func events(_ count: Int, text: String = "x") -> [IncrementalCursor.Mark] {
        (0..<count).map { IncrementalCursor.Mark(time: Int64(1_000 + $0 / 3), id: String(format: "e%03d", $0)) }
    }

    static func item(_ mark: IncrementalCursor.Mark) -> Item { Item(id: mark.id, text: "x") }

    @Test func splitsByCountOldestFirstEachWithTheCursorAfterIt() throws {
        let batcher = IncrementalBatcher(type: "logs", member: "events", limits: IncrementalBatchLimits(maxEvents: 4))
        let events = Self.events(10)
        let stored = ["unrelated": "kept"]
        let poll = try batcher.poll(
            events, advancing: IncrementalCursor(start: 0), in: stored, mark: { $0 }, window: IncrementalWindow(overlap: .zero),
            coveredUntil: 5_000, item: Self.item)
        let batches = poll.batches

        #expect(batches.map(\.type) == ["logs", "logs", "logs"])
        let payloads = try batches.map { try JSONDecoder().decode(Payload.self, from: Data($0.data)) }
        #expect(payloads.map(\.events.count) == [4, 4, 2])
        #expect(payloads.flatMap(\.events).map(\.id) == events.map(\.id))
        #expect(batches.allSatisfy { $0.cursor["unrelated"] == "kept" })

        // A failover after batch k resumes exactly there: the cursor of batch k, filtering the
        // whole poll again, leaves exactly the events of the later batches.
        for (index, batch) in batches.enumerated() {
            let cursor = try IncrementalCursor(decoding: batch.cursor)
            let rest = cursor.filter(events) { $0 }
            #expect(rest.map(\.id) == payloads.dropFirst(index + 1).flatMap(\.events).map(\.id))
        }
        // Batch 1 ends at e003 (time 1,001), which shares its time with e004 and e005: without an
        // overlap the next query starts at 1,001 and only e003 is remembered there.
        #expect(batches[0].cursor["w"] == "1001")
        #expect(try IncrementalCursor(decoding: batches[0].cursor).seenCount == 1)
        // The poll read its listing to 5,000: the poll's cursor starts there (no overlap here).
        #expect(poll.cursor?["w"] == "5000")
        #expect(poll.cursor?["unrelated"] == "kept")
    }

    /// With an overlap window the cursors start that far behind the last event (or the listing's
    /// end) and remember what was published since.
    @Test func theWindowStartsTheOverlapBehindWhatWasRead() throws {
        let batcher = IncrementalBatcher(type: "logs", member: "events", limits: IncrementalBatchLimits(maxEvents: 4))
        let events = Self.events(6)
        let poll = try batcher.poll(
            events, advancing: IncrementalCursor(start: 0), in: [:], mark: { $0 },
            window: IncrementalWindow(overlap: .milliseconds(500)), coveredUntil: 3_000, item: Self.item)
        #expect(poll.batches[0].cursor["w"] == "501")
        #expect(poll.cursor?["w"] == "2500")
        // Truncated (the poll stopped early): the window ends at the last event published.
        let truncated = try batcher.poll(
            events, advancing: IncrementalCursor(start: 0), in: [:], mark: { $0 },
            window: IncrementalWindow(overlap: .milliseconds(500)), coveredUntil: nil, item: Self.item)
        #expect(truncated.cursor?["w"] == "501")
        #expect(try IncrementalCursor(decoding: truncated.cursor ?? [:]).filter(events) { $0 } == [])
    }

    @Test func splitsBySizeAndAnOversizedEventGoesAlone() throws {
        let big = String(repeating: "y", count: 300)
        let batcher = IncrementalBatcher(
            type: "logs", member: "events", limits: IncrementalBatchLimits(maxEvents: 500, maxBytes: 1_000))
        let events = Self.events(7)
        let batches = try batcher.poll(
            events, advancing: IncrementalCursor(start: 0), in: [:], mark: { $0 }, window: .logs, coveredUntil: nil,
            item: { Item(id: $0.id, text: $0.id == "e005" ? String(repeating: "z", count: 2_000) : big) }
        ).batches
        #expect(batches.allSatisfy { $0.data.count <= 1_000 || $0.data.count > 2_000 })
        let payloads = try batches.map { try JSONDecoder().decode(Payload.self, from: Data($0.data)) }
        #expect(payloads.flatMap(\.events).map(\.id) == events.map(\.id))
        #expect(payloads.map(\.events.count) == [3, 2, 1, 1])
        #expect(String(decoding: batches[0].data.prefix(11), as: UTF8.self) == "{\"events\":[")
    }

    /// Nothing new is no batch, but the window still moves on (kept in memory until the next publish).
    @Test func nothingNewIsNoBatchButTheWindowMovesOn() throws {
        let batcher = IncrementalBatcher(type: "health", member: "events", limits: .default)
        let poll = try batcher.poll(
            [IncrementalCursor.Mark](), advancing: IncrementalCursor(start: 1), in: ["w": "1"], mark: { $0 },
            window: IncrementalWindow(overlap: .seconds(1)), coveredUntil: 10_000, item: Self.item)
        #expect(poll.batches.isEmpty)
        #expect(poll.cursor?["w"] == "9000")
    }
}
