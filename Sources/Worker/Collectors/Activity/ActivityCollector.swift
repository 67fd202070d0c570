import AWSServices
import Foundation
import Logging
import Payloads

/// `aws-activity`: CloudTrail `LookupEvents` from the cursor time (inclusive, whole seconds) to
/// now, de-duplicated by EventId, oldest first.
///
/// CloudTrail answers newest first, so a poll reads to the end of the listing before publishing
/// anything; `maxEventsPerPoll` then bounds what one poll publishes (the oldest events; the rest
/// follow at the next poll). The client's rate limiter keeps to CloudTrail's 2 calls per second.
public struct ActivityCollector: Collector {
    public var stream: StreamName { .activity }

    let client: CloudTrailClient
    let settings: ActivitySettings
    let batcher: IncrementalBatcher
    let seenIDLimit: Int
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        client: CloudTrailClient, settings: ActivitySettings, batchLimits: IncrementalBatchLimits = .default,
        seenIDLimit: Int = IncrementalCursor.defaultSeenIDLimit, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.settings = settings
        self.batcher = IncrementalBatcher(type: StreamName.activity.dataType, member: "events", limits: batchLimits)
        self.seenIDLimit = seenIDLimit
        self.logger = logger
        self.now = now
    }

    public func collect(from stored: [String: String]) async throws -> [CollectedBatch] {
        let cursor = IncrementalCursor.read(stored, seenIDLimit: seenIDLimit, logger: logger)
        let end = now()
        let start = cursor.startDate(or: end.addingTimeInterval(-settings.initialLookback.seconds))
        // LookupEvents takes epoch seconds: start at the whole second, the cursor drops the rest.
        let input = LookupEventsInput(
            startTime: Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down)), endTime: end)
        let output = try await client.lookupEvents(input)

        let events = output.events.compactMap(normalize)
        let new = cursor.filter(events, mark: \.mark).prefix(max(1, settings.maxEventsPerPoll))
        return try batcher.batches(
            Array(new), advancing: cursor, in: stored, mark: \.mark,
            cost: CollectionCost(calls: output.pages, dollars: 0), item: \.payload)
    }

    /// The payload of one listed event, with its place on the cursor's line; `nil` (logged) for
    /// an event without a time, which cannot be placed.
    func normalize(_ event: CloudTrailEvent) -> NormalizedActivity? {
        var record: CloudTrailEventRecord?
        do {
            record = try event.record()
        } catch {
            logger.debug(
                "CloudTrailEvent is not a CloudTrail record; publishing what LookupEvents gives",
                metadata: ["aws.cloudtrail.event.id": "\(event.eventId)", "error": "\(error)"])
        }
        guard let time = event.eventTime ?? record?.eventTime else {
            logger.warning("CloudTrail event without a time skipped", metadata: ["aws.cloudtrail.event.id": "\(event.eventId)"])
            return nil
        }
        return NormalizedActivity(
            mark: IncrementalCursor.Mark(date: time, id: event.eventId),
            payload: ActivityEvent(event, record: record, time: time))
    }
}

struct NormalizedActivity {
    var mark: IncrementalCursor.Mark
    var payload: ActivityEvent
}
