import AWSServices
import Foundation
import Logging
import Payloads

/// `aws-logs`: CloudWatch Logs `FilterLogEvents` of the configured log groups, incrementally.
///
/// Each group has its own ``IncrementalCursor`` in the stream's cursor, under `t:<group>` and
/// `ids:<group>`, and is searched from its cursor time (inclusive) to now. With no log group
/// configured the stream stays idle (it never scans every group) and says so once.
///
/// `maxEventsPerPoll` bounds the new events of one poll, shared equally between the groups; a
/// group that has more stops early and continues from its cursor at the next poll (FilterLogEvents
/// returns events sorted by timestamp, so what is left is never older than the cursor).
public struct LogsCollector: Collector {
    public var stream: StreamName { .logs }

    let client: CloudWatchLogsClient
    let settings: LogsSettings
    let batcher: IncrementalBatcher
    let seenIDLimit: Int
    let logger: Logger
    let now: @Sendable () -> Date
    private let idleNotice = IdleNotice()

    /// FilterLogEvents returns at most 10,000 events a page.
    static let pageLimit = 10_000

    public init(
        client: CloudWatchLogsClient, settings: LogsSettings, batchLimits: IncrementalBatchLimits = .default,
        seenIDLimit: Int = IncrementalCursor.defaultSeenIDLimit, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.settings = settings
        self.batcher = IncrementalBatcher(type: StreamName.logs.dataType, member: "events", limits: batchLimits)
        self.seenIDLimit = seenIDLimit
        self.logger = logger
        self.now = now
    }

    /// The configured groups, each once, in configuration order.
    var logGroups: [String] {
        var seen = Set<String>()
        return settings.logGroups.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    public func collect(from stored: [String: String]) async throws -> [CollectedBatch] {
        let groups = logGroups
        guard !groups.isEmpty else {
            if idleNotice.claim() {
                logger.info(
                    "No log group configured: aws-logs stays idle (it never scans every log group)",
                    metadata: ["worker.stream": "\(stream)", "worker.config.key": "logs.logGroups"])
            }
            return []
        }
        let end = now()
        let fallbackStart = end.addingTimeInterval(-settings.initialLookback.seconds)
        let share = max(1, (max(1, settings.maxEventsPerPoll) + groups.count - 1) / groups.count)

        var cursors: [String: IncrementalCursor] = [:]
        var found: [GroupEvent] = []
        var requests = 0
        for group in groups {
            var groupLogger = logger
            groupLogger[metadataKey: "aws.logs.group"] = "\(group)"
            let cursor = IncrementalCursor.read(
                stored, keys: .logGroup(group), seenIDLimit: seenIDLimit, logger: groupLogger)
            cursors[group] = cursor
            let (events, pages) = try await newEvents(
                in: group, after: cursor, from: cursor.startDate(or: fallbackStart), to: end, atMost: share)
            requests += pages
            found += events.map { GroupEvent(group: group, event: $0) }
        }
        found.sort()

        let cost = CollectionCost(calls: requests, dollars: 0)
        var stored = stored
        return try batcher.batches(found, cost: cost, item: \.payload) { published in
            for event in published {
                cursors[event.group]?.advance(past: event.mark)
            }
            for group in Set(published.map(\.group)) {
                cursors[group]?.encode(into: &stored, keys: .logGroup(group))
            }
            return stored
        }
    }

    /// Pages through one group until the end or `limit` new events. Returns the new events
    /// (oldest first) and the requests made.
    func newEvents(
        in group: String, after cursor: IncrementalCursor, from start: Date, to end: Date, atMost limit: Int
    ) async throws -> (events: [FilteredLogEvent], requests: Int) {
        var events: [FilteredLogEvent] = []
        var token: String?
        var requests = 0
        repeat {
            try Task.checkCancellation()
            let input = FilterLogEventsInput(
                logGroup: .name(group), filterPattern: settings.filterPattern, startTime: start, endTime: end,
                limit: min(Self.pageLimit, limit - events.count))
            let page = try await client.filterLogEventsPage(input, nextToken: token)
            requests += 1
            events = cursor.filter(events + page.events, mark: Self.mark)
            let next = page.nextToken.flatMap { $0.isEmpty || $0 == token ? nil : $0 }
            token = next
            if token != nil, requests >= client.pagination.maxPages {
                logger.info(
                    "Page limit reached; the next poll continues from the cursor",
                    metadata: ["aws.operation": "FilterLogEvents", "aws.logs.group": "\(group)", "aws.pages": "\(requests)"])
                break
            }
        } while token != nil && events.count < limit
        return (Array(events.prefix(limit)), requests)
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
            ingestionTime: event.ingestionTimeMilliseconds.map(PayloadTime.string(milliseconds:)),
            message: event.message)
    }

    static func < (lhs: GroupEvent, rhs: GroupEvent) -> Bool {
        (lhs.mark, lhs.group) < (rhs.mark, rhs.group)
    }

    static func == (lhs: GroupEvent, rhs: GroupEvent) -> Bool {
        lhs.group == rhs.group && lhs.mark == rhs.mark
    }
}
