import Bus
import Payloads

/// Where the hub's state machine relays messages: told once per message that has subscribers,
/// then once per subscriber that gets it, in order; and which subscribers must resync.
///
/// Called inside the hub's critical section: queueing under the lock is what keeps a subscriber's
/// held messages before the next live one. It only queues; writes and flushes happen after the
/// lock is released (`FlushBatches.schedule`).
protocol GatewayHubRelaySink<Subscriber> {
    associatedtype Subscriber

    /// `message` goes to the subscribers that follow; `positions` are every bus-subscribed
    /// stream's last relayed id (for SSE event ids).
    mutating func relay(_ message: BusMessage, positions: StreamPositions)

    /// The message of the last `relay(_:positions:)` goes to `subscriber`.
    mutating func deliver(to subscriber: Subscriber)

    /// `subscriber` missed messages of `stream` that will not be sent (`resync-required`): told
    /// before the messages that follow.
    mutating func tellToResync(_ subscriber: Subscriber, about stream: StreamName)
}
