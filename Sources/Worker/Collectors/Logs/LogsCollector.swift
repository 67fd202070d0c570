import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads

/// `aws-logs`: CloudWatch Logs `FilterLogEvents` of the configured log groups, incrementally.
///
/// Each group has its own ``IncrementalCursor`` in the stream's cursor, under `w:<group>` and
/// `seen:<group>`, and is searched from its cursor's start to now: the overlap window
/// (`window.overlap`, 2 minutes by default) behind the point read last, because an event is
/// searchable only once ingested, late and in any log stream of the group. Events published
/// already are dropped by id. With no log group configured the stream stays idle (it never scans
/// every group) and says so once.
///
/// `maxEventsPerPoll` bounds the new events of one poll, shared equally between the groups; a
/// group that has more stops early and continues from its cursor at the next poll (FilterLogEvents
/// returns events sorted by timestamp, so what is left is never older than the cursor).
///
/// An event ingested later than the window behind its timestamp is counted as late (it was
/// published, but others like it may have been missed).
public struct LogsCollector: Collector {
    public var stream: StreamName { .logs }
    public var usage: AWSUsageCounter? { client.usage }

    let client: CloudWatchLogsClient
    let settings: LogsSettings
    let batcher: IncrementalBatcher
    let logger: Logger
    let now: @Sendable () -> Date
    private let idleNotice = IdleNotice()

    /// FilterLogEvents returns at most 10,000 events a page.
    static let pageLimit = 10_000

    public init(
        client: CloudWatchLogsClient, settings: LogsSettings, batchLimits: IncrementalBatchLimits = .default, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.settings = settings
        self.batcher = IncrementalBatcher(type: StreamName.logs.dataType, member: "events", limits: batchLimits)
        self.logger = logger
        self.now = now
    }

    /// The configured groups, each once, in configuration order.
    var logGroups: [String] {
        var seen = Set<String>()
        return settings.logGroups.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    public func poll(from stored: [String: String]) async throws -> CollectedPoll {
        let groups = logGroups
        guard !groups.isEmpty else {
            if idleNotice.claim() {
                logger.info(
                    "No log group configured: aws-logs stays idle (it never scans every log group)",
                    metadata: ["worker.stream": "\(stream)", "worker.config.key": "logs.logGroups"])
            }
            return CollectedPoll(batches: [])
        }
        let now = self.now()
        let share = max(1, (max(1, settings.maxEventsPerPoll) + groups.count - 1) / groups.count)
        let overlap = settings.window.overlapMilliseconds

        var cursors: [String: IncrementalCursor] = [:]
        var complete: Set<String> = []
        var found: [GroupEvent] = []
        var end = Int64(0)
        for group in groups {
            var groupLogger = logger
            groupLogger[metadataKey: "aws.logs.group"] = "\(group)"
            let stored = IncrementalCursor.read(
                stored, keys: .logGroup(group), seenLimit: settings.window.seenLimit, logger: groupLogger)
            guard let query = IncrementalQuery(cursor: stored, now: now, initialLookback: settings.initialLookback) else {
                return CollectedPoll(batches: [])
            }
            cursors[group] = query.cursor
            end = query.endMilliseconds
            let listing = try await newEvents(
                in: group, after: query.cursor, from: query.start, to: query.end, atMost: share)
            if listing.isComplete { complete.insert(group) }
            found += listing.events.map { GroupEvent(group: group, event: $0) }
        }
        found.sort()
        let late = found.count { event in
            guard let ingested = event.event.ingestionTimeMilliseconds else { return false }
            let (delay, overflow) = ingested.subtractingReportingOverflow(event.event.timestampMilliseconds)
            return !overflow && delay > overlap
        }

        var stored = stored
        var batches = try batcher.batches(found, item: \.payload) { published in
            for event in published {
                cursors[event.group]?.record([event.mark])
                cursors[event.group]?.cover(until: event.mark.time, overlap: overlap)
            }
            for group in Set(published.map(\.group)) {
                cursors[group]?.encode(into: &stored, keys: .logGroup(group))
            }
            return stored
        }
        for group in groups {
            if complete.contains(group) { cursors[group]?.cover(until: end, overlap: overlap) }
            cursors[group]?.encode(into: &stored, keys: .logGroup(group))
        }
        // Once the last batch is published the whole listing is: its cursor is the poll's.
        if !batches.isEmpty { batches[batches.count - 1].cursor = stored }
        return CollectedPoll(batches: batches, cursor: stored, lateEvents: late)
    }

    /// One group's new events (oldest first) and whether its listing was read to the end.
    struct Listing {
        var events: [FilteredLogEvent]
        var isComplete: Bool
    }

    /// Pages through one group until the end or `limit` new events.
    func newEvents(
        in group: String, after cursor: IncrementalCursor, from start: Date, to end: Date, atMost limit: Int
    ) async throws -> Listing {
        var events: [FilteredLogEvent] = []
        var groupLogger = logger
        groupLogger[metadataKey: "aws.logs.group"] = "\(group)"
        var pages = AWSPageWalk(
            service: .cloudWatchLogs, operation: "FilterLogEvents", limits: client.pagination, atLimit: .stop,
            logger: groupLogger)
        while events.count < limit,
            let page = try await pages.next({ token in
                let input = FilterLogEventsInput(
                    logGroup: .name(group), filterPattern: settings.filterPattern, startTime: start, endTime: end,
                    limit: min(Self.pageLimit, limit - events.count))
                return try await client.filterLogEventsPage(input, nextToken: token)
            })
        {
            let placed = page.items.filter { mark($0) != nil }
            events = cursor.filter(events + placed) { Self.mark($0) }
        }
        return Listing(events: Array(events.prefix(limit)), isComplete: !pages.hasMorePages && events.count <= limit)
    }

    /// The event's mark, or nil (logged) for a timestamp outside 1970 to 9999.
    func mark(_ event: FilteredLogEvent) -> IncrementalCursor.Mark? {
        IncrementalCursor.Mark.checked(
            milliseconds: event.timestampMilliseconds, id: event.eventId, operation: "FilterLogEvents", field: "timestamp",
            logger: logger)
    }

    static func mark(_ event: FilteredLogEvent) -> IncrementalCursor.Mark {
        IncrementalCursor.Mark(time: event.timestampMilliseconds, id: event.eventId)
    }
}

/// A new event and its group, ordered by (timestamp, event id, group).
struct GroupEvent: Comparable {
    var group: String
    var event: FilteredLogEvent

    var mark: IncrementalCursor.Mark { LogsCollector.mark(event) }

    var payload: Payloads.LogEvent {
        Payloads.LogEvent(
            id: event.eventId, logGroup: group, logStream: event.logStreamName ?? "",
            timestamp: PayloadTime.string(milliseconds: event.timestampMilliseconds),
            ingestionTime: event.ingestionTimeMilliseconds.flatMap { time in
                IncrementalCursor.validMilliseconds.contains(time) ? PayloadTime.string(milliseconds: time) : nil
            },
            message: event.message)
    }

    static func < (lhs: GroupEvent, rhs: GroupEvent) -> Bool {
        (lhs.mark, lhs.group) < (rhs.mark, rhs.group)
    }

    static func == (lhs: GroupEvent, rhs: GroupEvent) -> Bool {
        lhs.group == rhs.group && lhs.mark == rhs.mark
    }
}
