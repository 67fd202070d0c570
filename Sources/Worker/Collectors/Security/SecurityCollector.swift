import AWSServices
import Foundation
import Logging
import Payloads

/// `aws-security`: Security Hub `GetFindings` updated since the cursor's start, with the record
/// state, severity and workflow filters of ``SecuritySettings``, sorted by UpdatedAt ascending. A
/// finding is new when its (id, UpdatedAt) was not published: an update of a finding is
/// published again.
///
/// Providers import findings with the `UpdatedAt` they set, which may lie minutes back, so each
/// poll reads again the overlap window (`window.overlap`, 15 minutes by default) behind the point
/// it read last. A finding that Security Hub processed (`ProcessedAt`) later than the window
/// after its `UpdatedAt` is counted as late.
///
/// `maxFindingsPerPoll` bounds one poll; the sort makes stopping early safe (what is left is
/// never older than the cursor).
public struct SecurityCollector: Collector {
    public var stream: StreamName { .security }
    public var usage: AWSUsageCounter? { client.usage }

    let client: SecurityHubClient
    let settings: SecuritySettings
    let batcher: IncrementalBatcher
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        client: SecurityHubClient, settings: SecuritySettings, batchLimits: IncrementalBatchLimits = .default, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.settings = settings
        self.batcher = IncrementalBatcher(type: StreamName.security.dataType, member: "findings", limits: batchLimits)
        self.logger = logger
        self.now = now
    }

    /// The query of one poll (before paging).
    func input(from start: Date, to end: Date, maxResults: Int) -> GetFindingsInput {
        var filters: [String: [SecurityHubFilter]] = ["UpdatedAt": [.date(from: start, to: end)]]
        func add(_ field: String, _ values: [String]) {
            if !values.isEmpty { filters[field] = values.map { .string($0) } }
        }
        add("RecordState", settings.recordStates)
        add("SeverityLabel", settings.severityLabels)
        add("WorkflowStatus", settings.workflowStatuses)
        return GetFindingsInput(
            filters: filters, sortCriteria: [.init(field: "UpdatedAt", order: .ascending)], maxResults: maxResults)
    }

    public func poll(from stored: [String: String]) async throws -> CollectedPoll {
        let cursor = IncrementalCursor.read(stored, seenLimit: settings.window.seenLimit, logger: logger)
        guard let query = IncrementalQuery(cursor: cursor, now: now(), initialLookback: settings.initialLookback) else {
            return CollectedPoll(batches: [])
        }
        let limit = max(1, settings.maxFindingsPerPoll)

        var found: [NormalizedFinding] = []
        var token: String?
        var requests = 0
        var isComplete = true
        repeat {
            try Task.checkCancellation()
            let page = try await client.getFindingsPage(
                input(from: query.start, to: query.end, maxResults: min(GetFindingsInput.maxResultsLimit, limit - found.count)),
                nextToken: token)
            requests += 1
            found = query.cursor.filter(found + page.findings.compactMap(normalize), mark: \.mark)
            token = page.nextToken.flatMap { $0.isEmpty || $0 == token ? nil : $0 }
            if token != nil, requests >= client.pagination.maxPages {
                logger.info(
                    "Page limit reached; the next poll continues from the cursor",
                    metadata: ["aws.operation": "GetFindings", "aws.pages": "\(requests)"])
                isComplete = false
                break
            }
        } while token != nil && found.count < limit
        if token != nil || found.count > limit { isComplete = false }

        let overlap = settings.window.overlapMilliseconds
        let published = Array(found.prefix(limit))
        let late = published.count { finding in
            guard let processed = finding.processedAt else { return false }
            let (delay, overflow) = processed.subtractingReportingOverflow(finding.mark.time)
            return !overflow && delay > overlap
        }
        return try batcher.poll(
            published, advancing: query.cursor, in: stored, mark: \.mark, window: settings.window,
            coveredUntil: isComplete ? query.endMilliseconds : nil, lateEvents: late, item: \.payload)
    }

    /// The payload of one finding and its place on the cursor's line (id at UpdatedAt); `nil`
    /// (logged) for a finding without UpdatedAt or with one outside 1970 to 9999, which cannot be
    /// placed.
    func normalize(_ finding: SecurityHubFinding) -> NormalizedFinding? {
        guard let updatedAt = finding.updatedAt else {
            logger.warning("Finding without UpdatedAt skipped", metadata: ["aws.securityhub.finding.id": "\(finding.id)"])
            return nil
        }
        guard
            let mark = IncrementalCursor.Mark.checked(
                updatedAt, id: finding.id, operation: "GetFindings", field: "UpdatedAt", logger: logger)
        else { return nil }
        return NormalizedFinding(
            mark: mark, payload: SecurityFinding(finding, updatedAt: mark.time),
            processedAt: finding.processedAt.flatMap(IncrementalCursor.milliseconds))
    }
}

struct NormalizedFinding {
    var mark: IncrementalCursor.Mark
    var payload: SecurityFinding
    /// When Security Hub processed the finding (epoch milliseconds), where it says.
    var processedAt: Int64?
}
