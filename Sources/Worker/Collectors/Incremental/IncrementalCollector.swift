import AWSServices
import Foundation
import Logging
import Payloads

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
/// of the oldest and moves the cursor with each batch. Its ``IncrementalSource`` supplies only
/// the particular part: the API's listing of one time range, normalized into events.
struct IncrementalCollector<Source: IncrementalSource>: Collector {
    let source: Source
    let batcher: IncrementalBatcher
    let now: @Sendable () -> Date

    init(
        client: Source.Client, settings: Source.Settings, batchLimits: IncrementalBatchLimits = .default, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.source = Source(client: client, settings: settings, logger: logger)
        self.batcher = IncrementalBatcher(type: Source.stream.dataType, member: Source.member, limits: batchLimits)
        self.now = now
    }

    var stream: StreamName { Source.stream }
    var usage: AWSUsageCounter? { source.usage }

    /// One poll: the cursor read from `stored`, the listing since its start, the new events in
    /// batches each carrying the cursor that publishing it leaves.
    func poll(from stored: [String: String]) async throws -> CollectedPoll {
        let settings = source.settings
        let window = settings.window
        let cursor = IncrementalCursor.read(stored, seenLimit: window.seenLimit, logger: source.logger)
        guard let query = IncrementalQuery(cursor: cursor, now: now(), initialLookback: settings.initialLookback) else {
            return CollectedPoll(batches: [])
        }
        let limit = max(1, settings.maxEventsPerPoll)
        let listing = try await source.listing(for: query, atMost: limit)
        let events = query.cursor.filter(listing.events, mark: \.mark)
        let published = Array(events.prefix(limit))
        return try batcher.poll(
            published, advancing: query.cursor, in: stored, mark: \.mark, window: window,
            coveredUntil: listing.isComplete && events.count <= limit ? query.endMilliseconds : nil,
            lateEvents: source.lateEvents(in: published), item: \.payload, origin: \.origin)
    }
}
