import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads
import Synchronization

/// The `aws-costs` collector: the month to date by day and by group, and the month's forecast.
///
/// Cost Explorer bills $0.01 per request, so what a poll and a day cost is bounded: at most
/// ``maxCostAndUsagePages`` `GetCostAndUsage` requests (pages; a month of DAILY results with one
/// grouping fits in one page in practice) and one `GetCostForecast`, **at most
/// ``maxRequestsPerPoll`` = 4 requests ($0.04) a poll**, and at most `maxRequestsPerDay` (4 by
/// default) billed requests per UTC day, usage and forecast together: a poll that would pass the
/// day's cap is not made (``nextDue(cursor:now:)`` says when the next one fits). The day and its
/// count are kept in the cursor (`day`, `requests`), so a new leader keeps to them too. A listing
/// that still has pages after the per-poll cap fails the poll with `AWSError` kind
/// `.limitExceeded` rather than paying on.
///
/// The period runs from the first of the month to tomorrow (`End` is exclusive, so today is
/// included; on the 1st it is just today). The forecast runs from tomorrow to the first of next
/// month and is skipped on the last day of the month; a forecast that fails (for example
/// `DataUnavailableException` early in the month) is logged and published as `forecast: nil`.
///
/// With `perLinkedAccount` (from an organization's management account), the same request is
/// grouped by `LINKED_ACCOUNT` first and the poll publishes one payload per linked account, under
/// that account's id, without a forecast (``CostsLinkedAccountSplit``).
public struct CostsCollector: Collector {
    /// The most `GetCostAndUsage` pages one poll reads.
    public static let maxCostAndUsagePages = 3
    /// The most billed requests one poll makes: ``maxCostAndUsagePages`` + 1 forecast.
    public static let maxRequestsPerPoll = maxCostAndUsagePages + 1

    public var stream: StreamName { .costs }
    public var usage: AWSUsageCounter? { costExplorer.usage }

    let costExplorer: CostExplorerClient
    let settings: CostsSettings
    let logger: Logger
    let now: @Sendable () -> Date
    /// Requests made today that the cursor may not hold yet (a poll that failed after paying).
    private let spentToday = DailyRequestsMemo()

    /// - Parameters:
    ///   - costExplorer: the client; its pagination is capped at ``maxCostAndUsagePages`` whatever
    ///     it was, and its usage counter gives each poll's cost.
    ///   - settings: grouping, metric, whether to forecast, and the daily request cap.
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

    /// The requests one poll usually makes: one page of usage, and the forecast.
    var usualRequestsPerPoll: Int { settings.includeForecast && !settings.perLinkedAccount ? 2 : 1 }

    public func nextDue(cursor: [String: String], now: Date) -> Date? {
        let today = CostExplorerDate(now)
        guard spent(on: today, cursor: cursor) + usualRequestsPerPoll > settings.maxRequestsPerDay else { return nil }
        return today.adding(days: 1).date
    }

    /// Billed requests made on `day`: the cursor's count, or this process's when it knows more.
    func spent(on day: CostExplorerDate, cursor: [String: String]) -> Int {
        let stored = DailyRequests(cursor: cursor).flatMap { $0.day == day ? $0.requests : nil } ?? 0
        let known = spentToday.value.flatMap { $0.day == day ? $0.requests : nil } ?? 0
        return max(stored, known)
    }

    public func poll(from cursor: [String: String]) async throws -> CollectedPoll {
        let now = self.now()
        let today = CostExplorerDate(now)
        let spentBefore = spent(on: today, cursor: cursor)
        guard spentBefore + usualRequestsPerPoll <= settings.maxRequestsPerDay else {
            logger.debug(
                "Cost Explorer's daily request cap reached; next poll tomorrow (UTC)",
                metadata: ["worker.costs.requests": "\(spentBefore)", "worker.config.key": "streams.aws-costs.maxRequestsPerDay"])
            return CollectedPoll(batches: [])
        }
        let before = costExplorer.usage.snapshot
        defer {
            let requests = Self.billedRequests(costExplorer.usage.usage(since: before))
            spentToday.value = DailyRequests(day: today, requests: spentBefore + requests)
        }
        let grouping = try CostsGrouping(settings.groupBy)
        let tomorrow = today.adding(days: 1)
        let monthToDate = CostExplorerDateInterval(start: today.firstOfMonth, end: tomorrow)
        let split = settings.perLinkedAccount ? CostsLinkedAccountSplit(grouping: grouping) : nil
        let output = try await costExplorer.getCostAndUsage(
            GetCostAndUsageInput(
                timePeriod: monthToDate, granularity: .daily, metrics: [settings.metric],
                groupBy: split?.groupBy ?? [grouping.definition]))
        var payloads: [(account: String?, data: CostsData)]
        if let split {
            payloads = split.outputs(output, logger: logger).map { account, output in
                (
                    account,
                    CostsNormalizer.costsData(
                        output, metric: settings.metric, grouping: grouping, period: monthToDate, forecast: nil)
                )
            }
        } else {
            var data = CostsNormalizer.costsData(
                output, metric: settings.metric, grouping: grouping, period: monthToDate, forecast: nil)
            if settings.includeForecast {
                // The published total's shortest decimal text, so total + rest adds exactly.
                let total = Decimal(string: String(data.total), locale: Locale(identifier: "en_US_POSIX"))
                data.forecast = try await forecast(from: tomorrow, monthToDate: total ?? Decimal(data.total))
            }
            payloads = [(nil, data)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var newCursor = cursor
        newCursor["lastPoll"] = ISO8601.string(from: now)
        DailyRequests(day: today, requests: spentBefore + Self.billedRequests(costExplorer.usage.usage(since: before)))
            .encode(into: &newCursor)
        return CollectedPoll(
            batches: try payloads.map { account, data in
                CollectedBatch(type: stream.dataType, data: Array(try encoder.encode(data)), cursor: newCursor, account: account)
            })
    }

    /// Cost Explorer requests sent, whatever AWS answered: the cap counts what might be billed.
    static func billedRequests(_ usage: [String: AWSOperationUsage]) -> Int {
        (usage["GetCostAndUsage"]?.requests ?? 0) + (usage["GetCostForecast"]?.requests ?? 0)
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
}

/// Cost Explorer requests made on one UTC day, kept in the cursor as `day` and `requests`.
struct DailyRequests: Sendable, Equatable {
    var day: CostExplorerDate
    var requests: Int
}

extension DailyRequests {
    init?(cursor: [String: String]) {
        guard let dayText = cursor["day"], let day = CostExplorerDate(dayText),
            let requests = cursor["requests"].flatMap({ Int($0) })
        else { return nil }
        self.init(day: day, requests: max(0, requests))
    }

    func encode(into cursor: inout [String: String]) {
        cursor["day"] = day.description
        cursor["requests"] = String(requests)
    }
}

/// This process's count of the day's Cost Explorer requests, shared by copies of one collector:
/// it still knows the requests of a poll that failed after paying, which no cursor stored.
final class DailyRequestsMemo: Sendable {
    private let state = Mutex<DailyRequests?>(nil)

    var value: DailyRequests? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
