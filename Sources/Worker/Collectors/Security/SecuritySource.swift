import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads

typealias SecurityCollector = IncrementalCollector<SecuritySource>

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
struct SecuritySource: IncrementalSource {
    static var stream: StreamName { .security }
    static var member: String { "findings" }

    let client: SecurityHubClient
    let settings: SecuritySettings
    let logger: Logger

    var usage: AWSUsageCounter { client.usage }

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

    /// Pages through the findings until the end or `limit` new ones (the sort by UpdatedAt makes
    /// stopping early safe).
    func listing(for query: IncrementalQuery, atMost limit: Int) async throws -> IncrementalListing<NormalizedFinding> {
        var found: [NormalizedFinding] = []
        var pages = AWSPageWalk(
            service: .securityHub, operation: "GetFindings", limits: client.pagination, atLimit: .stop, logger: logger)
        while found.count < limit,
            let page = try await pages.next({ token in
                try await client.getFindingsPage(
                    input(
                        from: query.start, to: query.end,
                        maxResults: min(GetFindingsInput.maxResultsLimit, limit - found.count)),
                    nextToken: token)
            })
        {
            found = query.cursor.filter(found + page.items.compactMap(normalize), mark: \.mark)
        }
        return IncrementalListing(events: found, isComplete: !pages.hasMorePages)
    }

    /// Findings Security Hub processed later than the window after their UpdatedAt.
    func lateEvents(in published: [NormalizedFinding]) -> Int {
        let overlap = settings.window.overlapMilliseconds
        return published.count { finding in
            guard let processed = finding.processedAt else { return false }
            let (delay, overflow) = processed.subtractingReportingOverflow(finding.mark.time)
            return !overflow && delay > overlap
        }
    }

    /// The payload of one finding and its place on the cursor's line (id at UpdatedAt); `nil`
    /// (logged) for a finding without UpdatedAt or with one outside 1970 to 9999, which cannot be
    /// placed.
    func normalize(_ finding: SecurityHubFinding) -> NormalizedFinding? {
        guard
            let mark = IncrementalCursor.Mark.checked(
                finding.updatedAt, id: finding.id, operation: "GetFindings", field: "UpdatedAt", logger: logger)
        else { return nil }
        return NormalizedFinding(
            mark: mark, payload: SecurityFinding(finding, updatedAt: mark.time),
            processedAt: finding.processedAt.flatMap(IncrementalCursor.milliseconds))
    }
}

struct NormalizedFinding: IncrementalEvent {
    var mark: IncrementalCursor.Mark
    var payload: SecurityFinding
    /// When Security Hub processed the finding (epoch milliseconds), where it says.
    var processedAt: Int64?

    /// The finding's own account and Region (`AwsAccountId`, `Region`): an administrator account
    /// reads its members' findings, and an aggregation Region those of its linked Regions.
    var origin: EventOrigin? { EventOrigin(account: payload.account, region: payload.region) }
}
