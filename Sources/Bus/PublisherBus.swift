import Payloads

/// What the worker needs from the bus: the singleton lease with its fencing epoch, an
/// atomic fenced publish (history, live delivery and cursor together), the cursors, and how
/// many listeners each stream has.
public protocol PublisherBus: Sendable {
    /// Takes the lease if nobody holds it. Returns the new fencing epoch, or nil when another
    /// holder has it.
    func acquireLease(token: String, ttl: Duration) async throws -> Int64?

    /// Extends the lease if `token` still holds it. False when it was lost.
    func renewLease(token: String, ttl: Duration) async throws -> Bool

    /// Gives the lease up if `token` holds it, so a standby takes over at once.
    func releaseLease(token: String) async throws

    /// How long the current holder's lease has left; nil when nobody holds it or the bus cannot
    /// tell. A standby times its next attempt to that expiry, so it takes over within one TTL of
    /// the holder's last renewal rather than up to a renew interval later.
    func leaseTimeRemaining() async throws -> Duration?

    /// Stores `envelope` in the stream's history, delivers it live and moves the stream's
    /// cursor of `scope` (the stream's own, or one target's), all or nothing, only while `token`
    /// holds the lease.
    func publish(
        _ envelope: EncodedEnvelope, to stream: StreamName, cursor: [String: String]?, scope: BusCursorScope, token: String
    ) async throws -> PublishOutcome

    /// Delivers a heartbeat live (not stored in history), stamped with the id of the stream's
    /// newest stored message ("0-0" when none) so a gateway that relayed less can tell it missed
    /// something. Only while `token` holds the lease.
    func heartbeat(_ envelope: EncodedEnvelope, to stream: StreamName, token: String) async throws -> PublishOutcome

    /// Where incremental collection of `stream` stands in `scope` (empty when it never ran).
    func cursor(of stream: StreamName, scope: BusCursorScope) async throws -> [String: String]

    /// Live listeners per stream (gateways subscribed to its channel).
    func listenerCounts(of streams: [StreamName]) async throws -> [StreamName: Int]
}

extension PublisherBus {
    /// A bus that cannot tell: a standby tries again at its renew interval.
    public func leaseTimeRemaining() async throws -> Duration? { nil }

    /// Publishes with the stream's own cursor (a worker polling one account and Region).
    public func publish(_ envelope: EncodedEnvelope, to stream: StreamName, cursor: [String: String]?, token: String)
        async throws -> PublishOutcome
    {
        try await publish(envelope, to: stream, cursor: cursor, scope: .stream, token: token)
    }

    /// The stream's own cursor.
    public func cursor(of stream: StreamName) async throws -> [String: String] {
        try await cursor(of: stream, scope: .stream)
    }
}

public enum PublishOutcome: Sendable, Hashable {
    case published(BusMessageID)
    /// The caller no longer holds the lease: nothing was stored, delivered or moved.
    case fenced
}
