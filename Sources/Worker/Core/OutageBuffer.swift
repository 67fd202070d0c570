import Foundation

/// Batches collected while the bus was unreachable, published in order when it returns.
///
/// Bounded: when full, the oldest batch is dropped (and counted), and the cursor its successor
/// continues from moves past it. `baseCursor` is where the bus's cursor must still stand for
/// the buffer to be published: if another leader moved it meanwhile, the buffer is stale.
struct OutageBuffer {
    struct Entry {
        var batch: CollectedBatch
        var collectedAt: Date
    }

    private(set) var entries: [Entry] = []
    private(set) var baseCursor: [String: String] = [:]
    private(set) var droppedCount = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Adds a batch collected from `cursorBefore` (the cursor before it).
    /// Returns how many were dropped to make room.
    mutating func append(_ batch: CollectedBatch, collectedAt: Date, cursorBefore: [String: String]) -> Int {
        if entries.isEmpty { baseCursor = cursorBefore }
        entries.append(Entry(batch: batch, collectedAt: collectedAt))
        var dropped = 0
        while entries.count > capacity {
            baseCursor = entries.removeFirst().batch.cursor
            dropped += 1
        }
        droppedCount += dropped
        return dropped
    }

    mutating func removeFirst() {
        let first = entries.removeFirst()
        baseCursor = first.batch.cursor
    }

    /// Empties the buffer; returns how many batches were discarded.
    mutating func discardAll() -> Int {
        defer { entries.removeAll() }
        return entries.count
    }
}
