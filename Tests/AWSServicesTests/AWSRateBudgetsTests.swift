import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

/// The per-API rate budgets: AWS's documented quotas by default, every request of every client
/// (pages included) through its API's budget, calls and waiting counted. On a virtual clock: no
/// real time passes.
@Suite struct AWSRateBudgetsTests {
    static let json = "application/x-amz-json-1.1"

    @Test func defaultsAreTheDocumentedQuotas() {
        let reports = AWSRateBudgets(clock: VirtualClock()).reports
        let rates = Dictionary(uniqueKeysWithValues: reports.map { ($0.api, $0.callsPerSecond) })
        #expect(
            rates == [
                .lookupEvents: 2, .getFindings: 3, .filterLogEvents: 5, .getMetricData: 50, .listMetrics: 25, .costExplorer: 1,
                .describeEvents: 1,
            ])
        #expect(reports.allSatisfy { $0.usage == AWSRateLimiter.Usage() })
        #expect(AWSRateBudgets.unlimited.reports.isEmpty)
    }

    @Test func aConfiguredRateReplacesTheDefault() {
        let budgets = AWSRateBudgets(callsPerSecond: [.getFindings: 0.5], clock: VirtualClock())
        #expect(budgets.limiter(for: .getFindings)?.ratePerSecond == 0.5)
        #expect(budgets.limiter(for: .lookupEvents)?.ratePerSecond == 2)
    }

    /// Five calls at 2 per second: four waits of 500 ms, counted.
    @Test func theLimiterCountsCallsAndWaiting() async throws {
        let clock = VirtualClock()
        let limiter = AWSRateLimiter.cloudTrailLookupEvents(clock: clock)
        for _ in 0..<5 { try await limiter.acquire() }
        #expect(limiter.usage == AWSRateLimiter.Usage(calls: 5, waited: .seconds(2)))
    }

    /// Security Hub GetFindings in two pages at 3 per second: the second page waits a third of a
    /// second for its token.
    @Test func everyPageOfGetFindingsTakesAToken() async throws {
        let pages = [
            try fixtures.text("securityhub/GetFindings-page1.json"), try fixtures.text("securityhub/GetFindings-page2.json"),
        ]
        let handler = pagedHandler(pages: pages, tokens: ["U2VjdXJpdHlIdWJQYWdlVG9rZW4y"], contentType: "application/json") {
            $0.json["NextToken"]?.stringValue
        }
        let clock = VirtualClock()
        let budgets = AWSRateBudgets(clock: clock)
        try await withScriptedAWS(handler: handler) { client, _ in
            let output = try await SecurityHubClient(client: client, budgets: budgets, logger: testLogger).getFindings(
                GetFindingsInput())
            #expect(output.pages == 2)
        }
        let usage = try #require(budgets.limiter(for: .getFindings)?.usage)
        #expect(usage.calls == 2)
        #expect(usage.waited > .milliseconds(333) && usage.waited < .milliseconds(334))
        #expect(clock.sleeps.count == 1)
    }

    /// Logs, Health and Cost Explorer: every page through their own budget, nothing through others.
    @Test func eachClientUsesItsOwnAPIBudget() async throws {
        let budgets = AWSRateBudgets(clock: VirtualClock())
        let logsPages = [
            try fixtures.text("logs/FilterLogEvents-page1.json"), try fixtures.text("logs/FilterLogEvents-page2.json"),
        ]
        let logsToken = "ZNUEPl7FcQuXbIH4Swk9D9eFu2XBg-ijZIZlvzz4ea9zZRjw-MMtQtvcoMdmq4T29K7Q6Y1e_KvyfpcT_f_tUw"
        try await withScriptedAWS(
            handler: pagedHandler(pages: logsPages, tokens: [logsToken], contentType: Self.json) {
                $0.json["nextToken"]?.stringValue
            }
        ) { client, _ in
            _ = try await CloudWatchLogsClient(client: client, budgets: budgets, logger: testLogger).filterLogEvents(
                FilterLogEventsInput(logGroup: .name("my-log-group")))
        }
        let healthPages = [
            try fixtures.text("health/DescribeEvents-page1.json"), try fixtures.text("health/DescribeEvents-page2.json"),
        ]
        try await withScriptedAWS(
            handler: pagedHandler(pages: healthPages, tokens: ["Q2xvc2VkRXZlbnRzUGFnZTI="], contentType: Self.json) {
                $0.json["nextToken"]?.stringValue
            }
        ) { client, _ in
            _ = try await HealthClient(client: client, budgets: budgets, logger: testLogger).describeEvents()
        }
        let costPages = [try fixtures.text("ce/GetCostAndUsage-page1.json"), try fixtures.text("ce/GetCostAndUsage-page2.json")]
        try await withScriptedAWS(
            handler: pagedHandler(pages: costPages, tokens: ["AAMA-EXAMPLE-PAGE-TOKEN"], contentType: Self.json) {
                $0.json["NextPageToken"]?.stringValue
            }
        ) { client, _ in
            let period = CostExplorerDateInterval(
                start: try #require(CostExplorerDate("2017-09-01")), end: try #require(CostExplorerDate("2017-10-01")))
            _ = try await CostExplorerClient(client: client, budgets: budgets, logger: testLogger).getCostAndUsage(
                GetCostAndUsageInput(timePeriod: period, granularity: .monthly, metrics: ["UnblendedCost"]))
        }
        let calls = Dictionary(uniqueKeysWithValues: budgets.reports.map { ($0.api, $0.usage.calls) })
        #expect(
            calls == [
                .filterLogEvents: 2, .describeEvents: 2, .costExplorer: 2, .lookupEvents: 0, .getFindings: 0, .getMetricData: 0,
                .listMetrics: 0,
            ])
    }

    /// CloudWatch: ListMetrics and GetMetricData pages each through their own budget.
    @Test func cloudWatchOperationsHaveSeparateBudgets() async throws {
        let budgets = AWSRateBudgets(clock: VirtualClock())
        let pages = [
            try fixtures.text("cloudwatch/ListMetrics-page1.xml"), try fixtures.text("cloudwatch/ListMetrics-page2.xml"),
        ]
        try await withScriptedAWS(
            handler: pagedHandler(pages: pages, tokens: ["eyJwYWdlIjoyfQ=="], contentType: "text/xml") {
                $0.formFields["NextToken"]
            }
        ) { client, _ in
            _ = try await CloudWatchClient(client: client, budgets: budgets, logger: testLogger).listMetrics()
        }
        #expect(budgets.limiter(for: .listMetrics)?.usage.calls == 2)
        #expect(budgets.limiter(for: .getMetricData)?.usage.calls == 0)
    }
}
