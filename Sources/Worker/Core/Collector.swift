import AWSServices
import Foundation
import Payloads

/// Polls one stream's AWS API and turns what it finds into payloads.
///
/// A collector is stateless between polls: everything it needs to continue is in the cursor,
/// which the worker stores atomically with each publish and hands back on the next poll (also
/// to a new leader after a failover).
public protocol Collector: Sendable {
    var stream: StreamName { get }

    /// Counts this collector's AWS requests by operation. The worker reads it before and after
    /// each poll for the poll's cost, whatever the poll's outcome; nil for a collector that calls
    /// no AWS API.
    var usage: AWSUsageCounter? { get }

    /// Polls once, continuing from `cursor` (empty on the first poll ever). Returns the batches to
    /// publish, in order, each with the cursor that holds once it is published.
    func poll(from cursor: [String: String]) async throws -> CollectedPoll

    /// When a poll next has something to read, for a collector that knows better than its
    /// stream's interval (metrics: when a period's datapoint settles; costs: its daily request
    /// cap). Nil: at the stream's interval.
    func nextDue(cursor: [String: String], now: Date) -> Date?
}

extension Collector {
    public var usage: AWSUsageCounter? { nil }

    public func nextDue(cursor: [String: String], now: Date) -> Date? { nil }

    /// The batches of one poll.
    public func collect(from cursor: [String: String]) async throws -> [CollectedBatch] {
        try await poll(from: cursor).batches
    }
}

/// What one poll found.
public struct CollectedPoll: Sendable {
    public var batches: [CollectedBatch]
    /// The cursor after the whole poll (the last batch's, or one whose window moved on without
    /// new events); the worker keeps it and stores it with the next publish. Nil: unchanged.
    public var cursor: [String: String]?
    /// Events of this poll that AWS received later than the stream's overlap window behind their
    /// time (detectable where AWS says when it received an event): others like them may have
    /// been missed.
    public var lateEvents: Int

    public init(batches: [CollectedBatch], cursor: [String: String]? = nil, lateEvents: Int = 0) {
        self.batches = batches
        self.cursor = cursor ?? batches.last?.cursor
        self.lateEvents = lateEvents
    }
}

/// One payload to publish and the cursor that holds after it.
public struct CollectedBatch: Sendable {
    /// The envelope `type` (`metrics`, `logs`, ...).
    public var type: String
    /// The payload, already JSON.
    public var data: [UInt8]
    public var cursor: [String: String]
    /// The account the payload is from when it is not the target's own (a monitoring account's
    /// linked accounts, `includeLinkedAccounts`; a Security Hub administrator's member accounts):
    /// the envelope's `account`. Nil: the target's.
    public var account: String?
    /// The Region the payload is from when it is not the target's own (findings that Security Hub
    /// cross-Region aggregation brought to the target's Region): the envelope's `region`. Nil: the
    /// target's.
    public var region: String?
}
