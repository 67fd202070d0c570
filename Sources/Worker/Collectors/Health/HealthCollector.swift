import AWSServices
import Foundation
import Logging
import Payloads

/// `aws-health`: AWS Health `DescribeEvents` last updated since the cursor time (inclusive,
/// whole seconds). An event is new when its (arn, lastUpdatedTime) was not published: an update
/// of an event is published again.
///
/// The listing is read to its end, sorted oldest update first, and `maxEventsPerPoll` bounds
/// what one poll publishes (the oldest; the rest follow at the next poll).
public struct HealthCollector: Collector {
    public var stream: StreamName { .health }

    let client: HealthClient
    let settings: HealthSettings
    let batcher: IncrementalBatcher
    let seenIDLimit: Int
    let logger: Logger
    let now: @Sendable () -> Date

    /// Events per DescribeEvents page (the API's maximum).
    static let pageSize = 100

    public init(
        client: HealthClient, settings: HealthSettings, batchLimits: IncrementalBatchLimits = .default,
        seenIDLimit: Int = IncrementalCursor.defaultSeenIDLimit, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.settings = settings
        self.batcher = IncrementalBatcher(type: StreamName.health.dataType, member: "events", limits: batchLimits)
        self.seenIDLimit = seenIDLimit
        self.logger = logger
        self.now = now
    }

    public func collect(from stored: [String: String]) async throws -> [CollectedBatch] {
        let cursor = IncrementalCursor.read(stored, seenIDLimit: seenIDLimit, logger: logger)
        let start = cursor.startDate(or: now().addingTimeInterval(-settings.initialLookback.seconds))
        let input = DescribeEventsInput(
            filter: .init(lastUpdatedFrom: Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down))),
            maxResults: Self.pageSize)
        let output = try await client.describeEvents(input)

        let events = output.events.compactMap(normalize)
        let new = cursor.filter(events, mark: \.mark).prefix(max(1, settings.maxEventsPerPoll))
        return try batcher.batches(
            Array(new), advancing: cursor, in: stored, mark: \.mark,
            cost: CollectionCost(calls: output.pages, dollars: 0), item: \.payload)
    }

    /// The payload of one event and its place on the cursor's line (arn at lastUpdatedTime);
    /// `nil` (logged) for an event without lastUpdatedTime, which cannot be placed.
    func normalize(_ event: AWSServices.HealthEvent) -> NormalizedHealthEvent? {
        guard let updated = event.lastUpdatedTime else {
            logger.warning("Health event without lastUpdatedTime skipped", metadata: ["aws.health.event.arn": "\(event.arn)"])
            return nil
        }
        return NormalizedHealthEvent(
            mark: IncrementalCursor.Mark(date: updated, id: event.arn),
            payload: Payloads.HealthEvent(
                arn: event.arn, service: event.service ?? "", typeCode: event.eventTypeCode ?? "",
                category: event.eventTypeCategory ?? "", region: event.region, availabilityZone: event.availabilityZone,
                startTime: event.startTime.map(PayloadTime.string(from:)), endTime: event.endTime.map(PayloadTime.string(from:)),
                lastUpdatedTime: PayloadTime.string(from: updated), status: event.statusCode ?? "", scope: event.eventScopeCode))
    }
}

struct NormalizedHealthEvent {
    var mark: IncrementalCursor.Mark
    var payload: Payloads.HealthEvent
}
