import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads

/// The `aws-metrics` collector: each series is read once per period, when the period has closed
/// and its datapoint has settled, with a window of recent points.
///
/// The series are the configured metrics or, when none is configured, the recently active
/// metrics (`ListMetrics RecentlyActive=PT3H`) of the discovery namespaces, each with its
/// customary statistic, sorted by id and capped at `maxSeries`. Discovery is cached for
/// `discoveryInterval`; a failed discovery keeps the previous list.
///
/// GetMetricData bills per metric requested, and a series' datapoint changes once per period, so
/// reading it more often buys nothing. The series are read in groups by period: a group is due
/// `settleDelay` after each of its periods ends (``nextDue(cursor:now:)``), and a poll asks only
/// for the groups that are due, in one `GetMetricData` call (500 queries a request: M series cost
/// ceil(M/500) requests plus pages). The cursor remembers, per period, the end of the last
/// period read (`read:<period>`, epoch seconds), so a new leader after a failover does not read it
/// again. A group never read, or read before its last settled period, is due at once: the first
/// read after nobody watched for a while is made as soon as a client arrives.
///
/// The window is `windowPeriods` periods ending at the period boundary after now, so the
/// still-filling period is included and marked `partial`.
public struct MetricsCollector: Collector {
    /// A payload larger than this (1 MiB of JSON) is split into several batches.
    public static let defaultMaxPayloadBytes = 1 << 20

    public var stream: StreamName { .metrics }
    public var usage: AWSUsageCounter? { cloudWatch.usage }

    let cloudWatch: CloudWatchClient
    let settings: MetricsSettings
    let logger: Logger
    let now: @Sendable () -> Date
    let maxPayloadBytes: Int
    let discovery = MetricsDiscoveryCache()

    /// - Parameters:
    ///   - cloudWatch: the client; its usage counter gives each poll's cost.
    ///   - settings: configured metrics, or discovery's namespaces, cap, interval and period.
    ///   - now: the wall clock (injected in tests).
    ///   - maxPayloadBytes: the JSON size past which a poll's series go in several batches.
    public init(
        cloudWatch: CloudWatchClient, settings: MetricsSettings = MetricsSettings(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }, maxPayloadBytes: Int = MetricsCollector.defaultMaxPayloadBytes
    ) {
        self.cloudWatch = cloudWatch
        self.settings = settings
        self.logger = logger
        self.now = now
        self.maxPayloadBytes = max(1, maxPayloadBytes)
    }

    /// The periods of the series polled: the configured metrics' or discovery's.
    var periods: Set<Int> {
        settings.metrics.isEmpty ? [settings.discoveryPeriod] : Set(settings.metrics.map(\.period))
    }

    public func nextDue(cursor: [String: String], now: Date) -> Date? {
        let settle = Self.seconds(settings.settleDelay)
        return periods.map { period -> Date in
            guard let read = Self.lastRead(period: period, in: cursor) else { return now }
            return Date(timeIntervalSince1970: Double(read + Int64(period)) + settle)
        }.min()
    }

    /// The end of the newest period whose datapoint has settled at `now` (epoch seconds).
    func settledBoundary(period: Int, now: Date) -> Int64 {
        let seconds = Int64((now.timeIntervalSince1970 - Self.seconds(settings.settleDelay)).rounded(.down))
        let period = Int64(max(1, period))
        let quotient = seconds >= 0 ? seconds / period : (seconds - period + 1) / period
        return quotient * period
    }

    static func lastRead(period: Int, in cursor: [String: String]) -> Int64? {
        cursor["read:\(period)"].flatMap { Int64($0) }
    }

    public func poll(from cursor: [String: String]) async throws -> CollectedPoll {
        let now = self.now()
        var due: [Int: Int64] = [:]
        for period in periods {
            let settled = settledBoundary(period: period, now: now)
            if Self.lastRead(period: period, in: cursor).map({ settled > $0 }) ?? true { due[period] = settled }
        }
        guard !due.isEmpty else { return CollectedPoll(batches: []) }
        let definitions = try await seriesToPoll(now: now).filter { due[$0.period] != nil }
        let series = try await fetch(definitions, now: now)
        var newCursor = cursor
        newCursor["lastPoll"] = ISO8601.string(from: now)
        for (period, boundary) in due { newCursor["read:\(period)"] = String(boundary) }
        // One envelope holds one account's series: a monitoring account's linked accounts each get their own.
        var byAccount: [String?: [MetricSeries]] = [:]
        for (definition, one) in zip(definitions, series) { byAccount[definition.account, default: []].append(one) }
        var batches: [CollectedBatch] = []
        for account in byAccount.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
            let documents = try MetricsPayloadEncoder.encode(byAccount[account] ?? [], maxBytes: maxPayloadBytes)
            if documents.count > 1 {
                logger.debug(
                    "Metrics payload split",
                    metadata: ["aws.series": "\(series.count)", "worker.batches": "\(documents.count)"])
            }
            batches += documents.map { CollectedBatch(type: stream.dataType, data: $0, cursor: newCursor, account: account) }
        }
        if byAccount.isEmpty {
            batches = try MetricsPayloadEncoder.encode([], maxBytes: maxPayloadBytes).map {
                CollectedBatch(type: stream.dataType, data: $0, cursor: newCursor)
            }
        }
        return CollectedPoll(batches: batches, cursor: newCursor)
    }

    /// The configured series, or the discovered ones (cached).
    func seriesToPoll(now: Date) async throws -> [MetricSeriesDefinition] {
        if !settings.metrics.isEmpty {
            var seen = Set<String>()
            return settings.metrics.map(MetricSeriesDefinition.init(configured:)).filter { seen.insert($0.id).inserted }
        }
        let state = discovery.current
        let interval = Self.seconds(settings.discoveryInterval)
        if let cached = state.series, !state.needsRefresh(now: now, interval: interval) {
            return cached
        }
        do {
            return try await discover(now: now)
        } catch let error as CancellationError {
            throw error
        } catch {
            guard let previous = state.series else { throw error }
            logger.info(
                "Metric discovery failed; polling the previous list",
                metadata: ["aws.series": "\(previous.count)", "error": "\(error)"])
            return previous
        }
    }

    /// Lists the recently active metrics of every discovery namespace, picks the customary
    /// statistic, sorts by id and keeps the first `maxSeries`.
    func discover(now: Date) async throws -> [MetricSeriesDefinition] {
        var byID: [String: MetricSeriesDefinition] = [:]
        for namespace in settings.discoveryNamespaces {
            try Task.checkCancellation()
            let listed = try await cloudWatch.listMetrics(
                ListMetricsInput(
                    namespace: namespace, recentlyActive: .pastThreeHours,
                    includeLinkedAccounts: settings.includeLinkedAccounts))
            // With IncludeLinkedAccounts, OwningAccounts lists each metric's account, in the same order.
            let accounts =
                settings.includeLinkedAccounts && listed.owningAccounts.count == listed.metrics.count
                ? listed.owningAccounts.map { Optional($0) } : Array(repeating: nil, count: listed.metrics.count)
            for (metric, account) in zip(listed.metrics, accounts) {
                let definition = MetricSeriesDefinition(
                    discovered: metric, period: settings.discoveryPeriod, account: account)
                byID["\(definition.id)|\(account ?? "")"] = definition
            }
        }
        let sorted = byID.values.sorted { ($0.id, $0.account ?? "") < ($1.id, $1.account ?? "") }
        let kept = Array(sorted.prefix(max(0, settings.maxSeries)))
        let dropped = sorted.count - kept.count
        if discovery.refreshed(with: kept, droppedCount: dropped, at: now), dropped > 0 {
            logger.info(
                "Metric discovery found more series than maxSeries; polling the first by id",
                metadata: [
                    "aws.series.found": "\(sorted.count)", "aws.series.kept": "\(kept.count)",
                    "aws.series.dropped": "\(dropped)",
                ])
        }
        logger.debug("Metric discovery done", metadata: ["aws.series": "\(kept.count)"])
        return kept
    }

    /// One `GetMetricData` call over every series; every series is listed, with or without points.
    func fetch(_ definitions: [MetricSeriesDefinition], now: Date) async throws -> [MetricSeries] {
        guard let window = MetricsWindow(periods: definitions.map(\.period), windowPeriods: settings.windowPeriods, now: now)
        else { return [] }
        // Ids `m0`, `m1`, ...: valid GetMetricData ids, mapped back to series by position.
        let queries = definitions.enumerated().map { index, definition in
            var query = MetricDataQuery.metric(
                id: "m\(index)", definition.cloudWatchMetric, period: definition.period, stat: definition.statistic)
            query.accountId = definition.account
            return query
        }
        let output = try await cloudWatch.getMetricData(
            GetMetricDataInput(queries: queries, startTime: window.start, endTime: window.end, scanBy: .timestampAscending))
        var resultsByID: [String: MetricDataResult] = [:]
        for result in output.results { resultsByID[result.id] = result }
        var incomplete = 0
        let series = definitions.enumerated().map { index, definition in
            let result = resultsByID["m\(index)"]
            if let status = result?.statusCode, status != .complete { incomplete += 1 }
            return MetricSeries(
                id: definition.id, namespace: definition.namespace, metric: definition.metric,
                dimensions: definition.dimensions, statistic: definition.statistic, unit: definition.unit,
                period: definition.period,
                points: MetricsWindow.points(
                    timestamps: result?.timestamps ?? [], values: result?.values ?? [], period: definition.period,
                    windowPeriods: settings.windowPeriods, now: now))
        }
        if incomplete > 0 {
            logger.info(
                "GetMetricData returned incomplete series (Forbidden, InternalError or PartialData)",
                metadata: ["aws.series.incomplete": "\(incomplete)", "aws.operation": "GetMetricData"])
        }
        return series
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let components = duration.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
