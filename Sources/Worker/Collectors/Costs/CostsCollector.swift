import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads

/// The `aws-costs` collector: the month to date by day and by group, and the month's forecast.
///
/// Cost Explorer bills $0.01 per request, so a poll's cost is bounded: at most
/// ``maxCostAndUsagePages`` `GetCostAndUsage` requests (pages; a month of DAILY results with one
/// grouping fits in one page in practice) and one `GetCostForecast`, **at most
/// ``maxRequestsPerPoll`` = 4 requests ($0.04) a poll**. A listing that still has pages after the
/// cap fails the poll with `AWSError` kind `.limitExceeded` rather than paying on.
///
/// The period runs from the first of the month to tomorrow (`End` is exclusive, so today is
/// included; on the 1st it is just today). The forecast runs from tomorrow to the first of next
/// month and is skipped on the last day of the month; a forecast that fails (for example
/// `DataUnavailableException` early in the month) is logged and published as `forecast: nil`.
///
/// Not incremental: the cursor only records when the collector last ran (`lastPoll`).
public struct CostsCollector: Collector {
    /// The most `GetCostAndUsage` pages one poll reads.
    public static let maxCostAndUsagePages = 3
    /// The most billed requests one poll makes: ``maxCostAndUsagePages`` + 1 forecast.
    public static let maxRequestsPerPoll = maxCostAndUsagePages + 1

    public var stream: StreamName { .costs }

    let costExplorer: CostExplorerClient
    let settings: CostsSettings
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - costExplorer: the client; its pagination is capped at ``maxCostAndUsagePages`` whatever
    ///     it was, and its usage counter gives each poll's cost.
    ///   - settings: grouping, metric, and whether to forecast.
    ///   - now: the wall clock (injected in tests); Cost Explorer days are UTC days.
    public init(
        costExplorer: CostExplorerClient, settings: CostsSettings = CostsSettings(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        var client = costExplorer
        client.pagination = AWSPaginationLimits(maxPages: Self.maxCostAndUsagePages)
        self.costExplorer = client
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    public func collect(from cursor: [String: String]) async throws -> [CollectedBatch] {
        let now = self.now()
        let grouping = try CostsGrouping(settings.groupBy)
        let before = costExplorer.usage.snapshot
        let today = CostExplorerDate(now)
        let tomorrow = today.adding(days: 1)
        let monthToDate = CostExplorerDateInterval(start: today.firstOfMonth, end: tomorrow)
        let output = try await costExplorer.getCostAndUsage(
            GetCostAndUsageInput(
                timePeriod: monthToDate, granularity: .daily, metrics: [settings.metric], groupBy: [grouping.definition]))
        var data = CostsNormalizer.costsData(
            output, metric: settings.metric, grouping: grouping, period: monthToDate, forecast: nil)
        if settings.includeForecast {
            // The published total's shortest decimal text, so total + rest adds exactly.
            let total = Decimal(string: String(data.total), locale: Locale(identifier: "en_US_POSIX"))
            data.forecast = try await forecast(from: tomorrow, monthToDate: total ?? Decimal(data.total))
        }
        let cost = Self.cost(before: before, after: costExplorer.usage.snapshot)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [
            CollectedBatch(
                type: stream.dataType, data: Array(try encoder.encode(data)),
                cursor: ["lastPoll": ISO8601.string(from: now)], cost: cost)
        ]
    }

    /// The whole month's forecast (month to date + the rest), or nil when there is no rest of
    /// the month or Cost Explorer cannot forecast.
    func forecast(from tomorrow: CostExplorerDate, monthToDate: Decimal) async throws -> CostsData.Forecast? {
        let firstOfMonth = tomorrow.adding(days: -1).firstOfMonth
        let endOfMonth = firstOfMonth.firstOfNextMonth
        guard tomorrow < endOfMonth else { return nil }
        do {
            let output = try await costExplorer.getCostForecast(
                GetCostForecastInput(
                    timePeriod: CostExplorerDateInterval(start: tomorrow, end: endOfMonth),
                    metric: CostsNormalizer.forecastMetric(settings.metric), granularity: .monthly))
            let means = output.forecastResultsByTime.compactMap { result in
                result.meanValue.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
            }
            let rest = output.total?.decimalAmount ?? means.reduce(Decimal(0), +)
            return CostsData.Forecast(
                amount: CostsNormalizer.double(monthToDate + rest), start: firstOfMonth.description,
                end: endOfMonth.description)
        } catch let error as CancellationError {
            throw error
        } catch {
            logger.info(
                "Cost forecast unavailable; publishing the month to date without it",
                metadata: ["aws.operation": "GetCostForecast", "error": "\(error)"])
            return nil
        }
    }

    /// This poll's requests and dollars ($0.01 each) from the usage counter's deltas.
    static func cost(before: [String: AWSOperationUsage], after: [String: AWSOperationUsage]) -> CollectionCost {
        let requests = ["GetCostAndUsage", "GetCostForecast"].reduce(0) { sum, operation in
            sum + (after[operation]?.requests ?? 0) - (before[operation]?.requests ?? 0)
        }
        return CollectionCost(calls: requests, dollars: Double(requests) * CostExplorerClient.costPerRequestUSD)
    }
}
