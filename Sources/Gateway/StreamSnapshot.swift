import Bus
import Payloads

/// What a new subscriber of a stream is sent first: for every (account, region) it may see among
/// the stream's newest entries, that target's ``BusSnapshot`` (its newest data, and its state when
/// the target's newest entry is a `stream-state` envelope), all in id order.
///
/// One read of the newest `GatewayConfiguration.Limits.snapshotScanEntries` entries bounds it: a
/// target whose last entry is older than those is not in the snapshot (its next message comes
/// live). Entries are grouped by ``EnvelopeOrigin`` (an envelope without an account or region
/// groups under `""`), and a filter drops the targets its reader may not see before anything is
/// kept.
struct StreamSnapshot: Sendable {
    /// The messages to send, oldest first: every visible target's data and state.
    let messages: [BusMessage]
    /// The data messages among them, oldest first (one per target that has data among the
    /// entries read).
    let data: [BusMessage]
    /// The newest entry read, visible or not: where a subscriber sent the snapshot stands (its
    /// history after it is what follows). nil: nothing is stored.
    let position: BusMessageID?

    /// The snapshot of `newestFirst` (a stream's newest entries, newest first) for a reader with
    /// `filter` (nil: everything).
    init(newestFirst entries: [BusMessage], filter: TargetFilter?) {
        position = entries.first?.id
        var order: [EnvelopeOrigin] = []
        var groups: [EnvelopeOrigin: [BusMessage]] = [:]
        for entry in entries {
            var origin = entry.origin
            // Heartbeats are not stored; one that is holds nothing to show.
            guard !origin.isHeartbeat else { continue }
            origin.isHeartbeat = false
            if let filter, !filter.allows(origin) { continue }
            if groups[origin] == nil { order.append(origin) }
            groups[origin, default: []].append(entry)
        }
        var messages: [BusMessage] = []
        var data: [BusMessage] = []
        for origin in order {
            let snapshot = BusSnapshot(newestFirst: groups[origin] ?? [])
            messages += snapshot.messages
            if let newest = snapshot.data { data.append(newest) }
        }
        self.messages = messages.sorted { $0.id < $1.id }
        self.data = data.sorted { $0.id < $1.id }
    }

    /// The newest data of all: what `/ws`'s `subscribed` carries as `snapshot`.
    var newestData: BusMessage? { data.last }

    /// The `stream-state` messages to send after the data (`/ws` sends the data in `subscribed`).
    var states: [BusMessage] { messages.filter(\.isStreamState) }
}
