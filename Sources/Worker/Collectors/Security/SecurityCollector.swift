import AWSServices
import Foundation
import Logging
import Payloads

/// `aws-security`: Security Hub `GetFindings` updated since the cursor time (inclusive), with
/// the record state, severity and workflow filters of ``SecuritySettings``, sorted by UpdatedAt
/// ascending. A finding is new when its (id, UpdatedAt) was not published: an update of a
/// finding is published again.
///
/// `maxFindingsPerPoll` bounds one poll; the sort makes stopping early safe (what is left is
/// never older than the cursor).
public struct SecurityCollector: Collector {
    public var stream: StreamName { .security }

    let client: SecurityHubClient
    let settings: SecuritySettings
    let batcher: IncrementalBatcher
    let seenIDLimit: Int
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        client: SecurityHubClient, settings: SecuritySettings, batchLimits: IncrementalBatchLimits = .default,
        seenIDLimit: Int = IncrementalCursor.defaultSeenIDLimit, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.settings = settings
        self.batcher = IncrementalBatcher(type: StreamName.security.dataType, member: "findings", limits: batchLimits)
        self.seenIDLimit = seenIDLimit
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

    public func collect(from stored: [String: String]) async throws -> [CollectedBatch] {
        let cursor = IncrementalCursor.read(stored, seenIDLimit: seenIDLimit, logger: logger)
        let end = now()
        let start = cursor.startDate(or: end.addingTimeInterval(-settings.initialLookback.seconds))
        let limit = max(1, settings.maxFindingsPerPoll)

        var found: [NormalizedFinding] = []
        var token: String?
        var requests = 0
        repeat {
            try Task.checkCancellation()
            let page = try await client.getFindingsPage(
                input(from: start, to: end, maxResults: min(GetFindingsInput.maxResultsLimit, limit - found.count)),
                nextToken: token)
            requests += 1
            found = cursor.filter(found + page.findings.compactMap(normalize), mark: \.mark)
            token = page.nextToken.flatMap { $0.isEmpty || $0 == token ? nil : $0 }
            if token != nil, requests >= client.pagination.maxPages {
                logger.info(
                    "Page limit reached; the next poll continues from the cursor",
                    metadata: ["aws.operation": "GetFindings", "aws.pages": "\(requests)"])
                break
            }
        } while token != nil && found.count < limit

        return try batcher.batches(
            Array(found.prefix(limit)), advancing: cursor, in: stored, mark: \.mark,
            cost: CollectionCost(calls: requests, dollars: 0), item: \.payload)
    }

    /// The payload of one finding and its place on the cursor's line (id at UpdatedAt); `nil`
    /// (logged) for a finding without UpdatedAt, which cannot be placed.
    func normalize(_ finding: SecurityHubFinding) -> NormalizedFinding? {
        guard let updatedAt = finding.updatedAt else {
            logger.warning("Finding without UpdatedAt skipped", metadata: ["aws.securityhub.finding.id": "\(finding.id)"])
            return nil
        }
        return NormalizedFinding(
            mark: IncrementalCursor.Mark(date: updatedAt, id: finding.id),
            payload: SecurityFinding(finding, updatedAt: updatedAt))
    }
}

struct NormalizedFinding {
    var mark: IncrementalCursor.Mark
    var payload: SecurityFinding
}
