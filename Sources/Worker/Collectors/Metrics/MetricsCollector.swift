import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads

/// The `aws-metrics` collector: each poll publishes a window of recent points of every series.
///
/// The series are the configured metrics or, when none is configured, the recently active
/// metrics (`ListMetrics RecentlyActive=PT3H`) of the discovery namespaces, each with its
/// customary statistic, sorted by id and capped at `maxSeries`. Discovery is cached for
/// `discoveryInterval`; a failed discovery keeps the previous list.
///
/// A poll is one `GetMetricData` call over all series (the client sends 500 queries a request:
/// M series cost ceil(M/500) requests plus pages). The window is `windowPeriods` periods ending
/// at the period boundary after now, so the still-filling period is included and marked
/// `partial`; as every poll publishes the whole window, the next poll carries its settled value.
///
/// Not incremental: the cursor only records when the collector last ran (`lastPoll`).
public struct MetricsCollector: Collector {
    /// A payload larger than this (1 MiB of JSON) is split into several batches.
    public static let defaultMaxPayloadBytes = 1 << 20
    /// CloudWatch bills $0.01 per 1,000 metrics requested by `GetMetricData`...
    public static let getMetricDataCostPerMetricUSD = 0.01 / 1_000
    /// ...and $0.01 per 1,000 `ListMetrics` requests.
    public static let listMetricsCostPerRequestUSD = 0.01 / 1_000

    public var stream: StreamName { .metrics }

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

    public func collect(from cursor: [String: String]) async throws -> [CollectedBatch] {
        let now = self.now()
        let before = cloudWatch.usage.snapshot
        let definitions = try await seriesToPoll(now: now)
        let series = try await fetch(definitions, now: now)
        let cost = Self.cost(before: before, after: cloudWatch.usage.snapshot)
        let documents = try MetricsPayloadEncoder.encode(series, maxBytes: maxPayloadBytes)
        if documents.count > 1 {
            logger.debug(
                "Metrics payload split", metadata: ["aws.series": "\(series.count)", "worker.batches": "\(documents.count)"])
        }
        let newCursor = ["lastPoll": ISO8601.string(from: now)]
        // The poll's cost goes with the first batch, so the batches add up to it.
        return documents.enumerated().map { index, data in
            CollectedBatch(type: stream.dataType, data: data, cursor: newCursor, cost: index == 0 ? cost : .zero)
        }
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
                ListMetricsInput(namespace: namespace, recentlyActive: .pastThreeHours))
            for metric in listed.metrics {
                let definition = MetricSeriesDefinition(discovered: metric, period: settings.discoveryPeriod)
                byID[definition.id] = definition
            }
        }
        let sorted = byID.values.sorted { $0.id < $1.id }
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
            MetricDataQuery.metric(
                id: "m\(index)", definition.cloudWatchMetric, period: definition.period, stat: definition.statistic)
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

    /// This poll's calls and dollars from the usage counter's deltas.
    static func cost(before: [String: AWSOperationUsage], after: [String: AWSOperationUsage]) -> CollectionCost {
        func delta(_ operation: String) -> AWSOperationUsage {
            let old = before[operation] ?? AWSOperationUsage()
            let new = after[operation] ?? AWSOperationUsage()
            return AWSOperationUsage(
                calls: new.calls - old.calls, requests: new.requests - old.requests,
                metricsRequested: new.metricsRequested - old.metricsRequested)
        }
        let list = delta("ListMetrics")
        let data = delta("GetMetricData")
        return CollectionCost(
            calls: list.requests + data.requests,
            dollars: Double(data.metricsRequested) * getMetricDataCostPerMetricUSD
                + Double(list.requests) * listMetricsCostPerRequestUSD)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let components = duration.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
