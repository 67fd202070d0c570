/// What a new subscriber of a stream is sent first: its latest data, and its state when the
/// stream is not simply live.
///
/// The worker stores `stream-state` envelopes in a stream's history like data, and publishes one
/// only when the state changes (a `live` one on recovery, before new data). So when the newest
/// entry is data, the stream is live and the data is the whole snapshot; when it is a state, the
/// subscriber needs both that state and the newest data before it (a client then shows the last
/// data and that the stream is, say, unavailable now).
public struct BusSnapshot: Sendable, Hashable {
    /// How many of the newest entries are read to find the data behind a state: states come one
    /// per change, so a few entries cover any realistic run of them. A stream with only states
    /// among them (one that has never delivered, or not for that many changes) has no data to show.
    public static let scanLimit = 16

    /// The newest data envelope; nil when none is among the entries scanned.
    public var data: BusMessage?
    /// The newest entry when it is a `stream-state` envelope; nil when the newest entry is data
    /// (the stream is live) or nothing is stored.
    public var state: BusMessage?

    public init(data: BusMessage?, state: BusMessage?) {
        self.data = data
        self.state = state
    }

    /// The snapshot in `newestFirst`, a stream's newest entries, newest first (older states
    /// behind the newest one are superseded and left out).
    public init(newestFirst entries: some Sequence<BusMessage>) {
        var iterator = entries.makeIterator()
        guard let newest = iterator.next() else {
            self.init(data: nil, state: nil)
            return
        }
        guard newest.isStreamState else {
            self.init(data: newest, state: nil)
            return
        }
        var data: BusMessage?
        while let entry = iterator.next() {
            if !entry.isStreamState {
                data = entry
                break
            }
        }
        self.init(data: data, state: newest)
    }

    /// Nothing stored.
    public var isEmpty: Bool { data == nil && state == nil }

    /// What to send, in id order: the data, then the state.
    public var messages: [BusMessage] { [data, state].compactMap { $0 } }

    /// The id of the newest entry: where a subscriber that was sent the snapshot stands.
    public var lastID: BusMessageID? { (state ?? data)?.id }
}
