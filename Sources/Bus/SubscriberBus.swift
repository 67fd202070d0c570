import Payloads

/// What a gateway needs from the bus: live messages of the streams its clients watch,
/// their history for recovery and resume, and the latest messages for a snapshot.
public protocol SubscriberBus: Sendable {
    associatedtype Events: AsyncSequence<BusEvent, Never> & Sendable

    /// Live events of every stream subscribed, for one consumer.
    var events: Events { get }

    /// Whether live delivery works right now: the bus connection is up and holds every
    /// subscription (after a reconnect, once resubscribed). A gateway is not ready while false.
    var isConnected: Bool { get }

    /// Starts live delivery of `stream`. Returns when the bus confirmed it.
    func subscribe(to stream: StreamName) async throws

    func unsubscribe(from stream: StreamName) async throws

    /// Stored messages after `id` (all when nil), oldest first, at most `limit`.
    func history(of stream: StreamName, after id: BusMessageID?, limit: Int) async throws -> [BusMessage]

    /// The newest stored messages of `stream`, newest first, at most `count`.
    func latest(of stream: StreamName, count: Int) async throws -> [BusMessage]

    /// The oldest id still stored, to tell a client its resume point is gone.
    func oldestID(of stream: StreamName) async throws -> BusMessageID?

    /// Messages on the bus channels that were dropped, not relayed, by reason (every reason
    /// present). A bus that cannot receive anything but envelopes reports none.
    var droppedMessages: [BusDropReason: Int] { get }
}

extension SubscriberBus {
    /// The newest stored message of `stream`, data or state.
    public func latest(of stream: StreamName) async throws -> BusMessage? {
        try await latest(of: stream, count: 1).first
    }

    /// What a new subscriber of `stream` is sent first: its newest data and, when the newest entry
    /// is a `stream-state` envelope, that state (one read of the newest ``BusSnapshot/scanLimit``
    /// entries).
    public func snapshot(of stream: StreamName) async throws -> BusSnapshot {
        BusSnapshot(newestFirst: try await latest(of: stream, count: BusSnapshot.scanLimit))
    }

    public var droppedMessages: [BusDropReason: Int] {
        Dictionary(uniqueKeysWithValues: BusDropReason.allCases.map { ($0, 0) })
    }
}
