import Foundation
import Logging

/// An event of an incremental listing: its place on the cursor's line and what is published.
protocol IncrementalEvent {
    associatedtype Payload: Encodable
    var mark: IncrementalCursor.Mark { get }
    var payload: Payload { get }
    /// Where the event is from when the API answers for other accounts or Regions than the
    /// target's; nil (the default): the target's.
    var origin: EventOrigin? { get }
}

extension IncrementalEvent {
    var origin: EventOrigin? { nil }
}

/// What one poll of an incremental API found: its events, any order, repeats allowed; and
/// whether the listing was read to its end (then the cursor covers up to the poll's end).
struct IncrementalListing<Event> {
    var events: [Event]
    var isComplete = true
}

/// The settings every incremental stream has: how far back the first poll starts, how many
/// events one poll publishes at most, and the overlap window read again behind the cursor.
protocol IncrementalStreamSettings: Sendable {
    var initialLookback: Duration { get }
    var maxEventsPerPoll: Int { get }
    var window: IncrementalWindow { get }
}

extension ActivitySettings: IncrementalStreamSettings {}
extension HealthSettings: IncrementalStreamSettings {}

extension SecuritySettings: IncrementalStreamSettings {
    var maxEventsPerPoll: Int { maxFindingsPerPoll }
}

/// A stream read incrementally over one cursor: each poll reads from the cursor's start (the
/// overlap window behind the point read last, or the initial lookback at first) to now, drops
/// the events already published (the cursor's seen ids), publishes at most `maxEventsPerPoll`
/// of the oldest and moves the cursor with each batch. A collector supplies only the particular
/// part: the API's listing of one time range, normalized into events.
protocol IncrementalCollector: Collector {
    associatedtype Event: IncrementalEvent
    associatedtype Settings: IncrementalStreamSettings
    var settings: Settings { get }
    var batcher: IncrementalBatcher { get }
    var logger: Logger { get }
    var now: @Sendable () -> Date { get }

    /// The events of `query`'s time range; `limit` is the most one poll publishes.
    func listing(for query: IncrementalQuery, atMost limit: Int) async throws -> IncrementalListing<Event>

    /// How many of the events about to be published arrived later than the window allows.
    func lateEvents(in published: [Event]) -> Int
}

extension IncrementalCollector {
    func lateEvents(in published: [Event]) -> Int { 0 }

    /// One poll: the cursor read from `stored`, the listing since its start, the new events in
    /// batches each carrying the cursor that publishing it leaves.
    func pollIncrementally(from stored: [String: String]) async throws -> CollectedPoll {
        let window = settings.window
        let cursor = IncrementalCursor.read(stored, seenLimit: window.seenLimit, logger: logger)
        guard let query = IncrementalQuery(cursor: cursor, now: now(), initialLookback: settings.initialLookback) else {
            return CollectedPoll(batches: [])
        }
        let limit = max(1, settings.maxEventsPerPoll)
        let listing = try await listing(for: query, atMost: limit)
        let events = query.cursor.filter(listing.events, mark: \.mark)
        let published = Array(events.prefix(limit))
        return try batcher.poll(
            published, advancing: query.cursor, in: stored, mark: \.mark, window: window,
            coveredUntil: listing.isComplete && events.count <= limit ? query.endMilliseconds : nil,
            lateEvents: lateEvents(in: published), item: \.payload, origin: \.origin)
    }
}
