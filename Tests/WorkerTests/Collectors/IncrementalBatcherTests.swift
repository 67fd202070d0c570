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
        let batches = try batcher.batches(
            events, advancing: IncrementalCursor(), in: stored, mark: { $0 }, cost: CollectionCost(calls: 3, dollars: 0),
            item: Self.item)

        #expect(batches.map(\.type) == ["logs", "logs", "logs"])
        let payloads = try batches.map { try JSONDecoder().decode(Payload.self, from: Data($0.data)) }
        #expect(payloads.map(\.events.count) == [4, 4, 2])
        #expect(payloads.flatMap(\.events).map(\.id) == events.map(\.id))
        #expect(batches.map(\.cost) == [CollectionCost(calls: 3, dollars: 0), .zero, .zero])
        #expect(batches.allSatisfy { $0.cursor["unrelated"] == "kept" })

        // A failover after batch k resumes exactly there: the cursor of batch k, filtering the
        // whole poll again, leaves exactly the events of the later batches.
        for (index, batch) in batches.enumerated() {
            let cursor = try IncrementalCursor(decoding: batch.cursor)
            let rest = cursor.filter(events) { $0 }
            #expect(rest.map(\.id) == payloads.dropFirst(index + 1).flatMap(\.events).map(\.id))
        }
        // Batch 1 ends at e003 (time 1,001) which shares its time with e004 and e005.
        #expect(batches[0].cursor["t"] == "1001")
        #expect(batches[0].cursor["ids"] == "[\"e003\"]")
    }

    @Test func splitsBySizeAndAnOversizedEventGoesAlone() throws {
        let big = String(repeating: "y", count: 300)
        let batcher = IncrementalBatcher(
            type: "logs", member: "events", limits: IncrementalBatchLimits(maxEvents: 500, maxBytes: 1_000))
        let events = Self.events(7)
        let batches = try batcher.batches(
            events, advancing: IncrementalCursor(), in: [:], mark: { $0 }, cost: .zero,
            item: { Item(id: $0.id, text: $0.id == "e005" ? String(repeating: "z", count: 2_000) : big) })
        #expect(batches.allSatisfy { $0.data.count <= 1_000 || $0.data.count > 2_000 })
        let payloads = try batches.map { try JSONDecoder().decode(Payload.self, from: Data($0.data)) }
        #expect(payloads.flatMap(\.events).map(\.id) == events.map(\.id))
        #expect(payloads.map(\.events.count) == [3, 2, 1, 1])
        #expect(String(decoding: batches[0].data.prefix(11), as: UTF8.self) == "{\"events\":[")
    }

    @Test func nothingNewIsNoBatch() throws {
        let batcher = IncrementalBatcher(type: "health", member: "events", limits: .default)
        let batches = try batcher.batches(
            [IncrementalCursor.Mark](), advancing: IncrementalCursor(), in: ["t": "1"], mark: { $0 },
            cost: CollectionCost(calls: 1, dollars: 0), item: Self.item)
        #expect(batches.isEmpty)
    }
}
