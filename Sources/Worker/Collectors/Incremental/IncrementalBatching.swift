import Foundation

/// How a poll's new events are split into payloads: at most ``maxEvents`` events and about
/// ``maxBytes`` of JSON each (a single larger event still goes alone in one payload).
public struct IncrementalBatchLimits: Sendable, Hashable {
    public var maxEvents: Int
    public var maxBytes: Int

    public init(maxEvents: Int = 500, maxBytes: Int = 1 << 20) {
        self.maxEvents = max(1, maxEvents)
        self.maxBytes = max(1, maxBytes)
    }

    /// 500 events or 1 MiB.
    public static let `default` = IncrementalBatchLimits()
}

/// Splits events (already oldest first) into payloads `{"<member>":[...]}` and gives each the
/// cursor that holds once it is published.
struct IncrementalBatcher {
    var type: String
    /// The payload's array member (`events`, `findings`).
    var member: String
    var limits: IncrementalBatchLimits

    /// `cursorAfter` is called once per payload, in order, with that payload's events; it returns
    /// the cursor after them. A payload holds events of one `origin` only: where the origin
    /// changes from one event to the next, a new payload begins (the order is kept, so each
    /// payload's cursor still covers exactly the events published up to it).
    func batches<Event, Item: Encodable>(
        _ events: [Event], item: (Event) throws -> Item, origin: (Event) -> EventOrigin? = { _ in nil },
        cursorAfter: ([Event]) -> [String: String]
    ) throws -> [CollectedBatch] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let opening = Array("{\"\(member)\":[".utf8)
        let closing = Array("]}".utf8)
        var result: [CollectedBatch] = []
        var pending: [Event] = []
        var pendingOrigin: EventOrigin?
        var data = opening

        func close() {
            guard !pending.isEmpty else { return }
            data += closing
            result.append(
                CollectedBatch(
                    type: type, data: data, cursor: cursorAfter(pending), account: pendingOrigin?.account,
                    region: pendingOrigin?.region))
            pending = []
            data = opening
        }

        for event in events {
            let encoded = Array(try encoder.encode(try item(event)))
            let eventOrigin = origin(event)
            let separator = pending.isEmpty ? 0 : 1
            if !pending.isEmpty,
                eventOrigin != pendingOrigin || pending.count >= limits.maxEvents
                    || data.count + separator + encoded.count + closing.count > limits.maxBytes
            {
                close()
            }
            pendingOrigin = eventOrigin
            if !pending.isEmpty { data.append(UInt8(ascii: ",")) }
            data += encoded
            pending.append(event)
        }
        close()
        return result
    }
}
