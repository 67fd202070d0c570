import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

@Suite struct CostExplorerClientTests {
    static let json = "application/x-amz-json-1.1"

    @Test func getCostAndUsageFollowsNextPageTokenAndMergesThePeriod() async throws {
        let pages = [try fixtures.text("ce/GetCostAndUsage-page1.json"), try fixtures.text("ce/GetCostAndUsage-page2.json")]
        let handler = pagedHandler(pages: pages, tokens: ["AAMA-EXAMPLE-PAGE-TOKEN"], contentType: Self.json) {
            $0.json["NextPageToken"]?.stringValue
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let costs = CostExplorerClient(client: client, logger: testLogger)
            let period = CostExplorerDateInterval(
                start: try #require(CostExplorerDate("2017-09-01")), end: try #require(CostExplorerDate("2017-10-01")))
            let output = try await costs.getCostAndUsage(
                GetCostAndUsageInput(
                    timePeriod: period, granularity: .monthly, metrics: ["BlendedCost", "UnblendedCost", "UsageQuantity"],
                    groupBy: [.service, .tag("Environment")]))
            #expect(output.pages == 2)
            // Page 2 continues page 1's period: one period with every group.
            #expect(output.resultsByTime.count == 1)
            let month = try #require(output.resultsByTime.first)
            #expect(month.timePeriod == period)
            #expect(month.total.isEmpty)
            #expect(month.isEstimated == false)
            #expect(
                month.groups.map { $0.keys[1] } == ["Environment$Prod", "Environment$Test", "Environment$", "Environment$Dev"])
            let amount = try #require(month.groups[0].metrics["UnblendedCost"])
            #expect(amount.amount == "39.1603300457")
            #expect(amount.unit == "USD")
            #expect(amount.decimalAmount == Decimal(string: "39.1603300457"))
            #expect(output.groupDefinitions.map(\.key) == ["SERVICE", "Environment"])

            let body = server.requests[0].json
            #expect(server.requests[0].header("X-Amz-Target") == "AWSInsightsIndexService.GetCostAndUsage")
            #expect(body["TimePeriod"] == .object(["Start": .string("2017-09-01"), "End": .string("2017-10-01")]))
            #expect(body["Granularity"] == .string("MONTHLY"))
            #expect(body["GroupBy"]?.arrayValue?.first == .object(["Type": .string("DIMENSION"), "Key": .string("SERVICE")]))
            #expect(body["NextPageToken"] == nil)
            #expect(server.requests[1].json["NextPageToken"] == .string("AAMA-EXAMPLE-PAGE-TOKEN"))
            #expect(
                costs.usage.usage(of: "GetCostAndUsage")
                    == AWSOperationUsage(calls: 1, requests: 2, outcomes: [.success: 2], billedRequests: 2))
            #expect(abs(costs.estimatedCostUSD - 0.02) < 1e-9)
        }
    }

    @Test func emptyResults() async throws {
        let body = #"{"ResultsByTime": [], "DimensionValueAttributes": []}"#
        try await withScriptedAWS(handler: { _ in .respond(headers: [("Content-Type", "text/html; charset=utf-8")], body: body) })
        { client, _ in
            let output = try await CostExplorerClient(client: client, logger: testLogger).getCostAndUsage(
                GetCostAndUsageInput(timePeriod: .monthToDate(today: try #require(CostExplorerDate("2026-11-27")))))
            #expect(output.resultsByTime.isEmpty)
        }
    }

    @Test func getCostForecast() async throws {
        let body = """
            {"Total":{"Amount":"123.4567","Unit":"USD"},"ForecastResultsByTime":[{"TimePeriod":{"Start":"2026-11-27","End":"2026-12-01"},\
            "MeanValue":"123.4567","PredictionIntervalLowerBound":"100.0","PredictionIntervalUpperBound":"150.5"}]}
            """
        try await withScriptedAWS(handler: { _ in .respond(headers: [("Content-Type", Self.json)], body: body) }) {
            client, server in
            let costs = CostExplorerClient(client: client, logger: testLogger)
            let today = try #require(CostExplorerDate("2026-11-27"))
            let forecast = try await costs.getCostForecast(
                GetCostForecastInput(
                    timePeriod: CostExplorerDateInterval(start: today, end: today.firstOfNextMonth), predictionIntervalLevel: 80))
            #expect(forecast.total == CostExplorerMetricValue(amount: "123.4567", unit: "USD"))
            #expect(forecast.forecastResultsByTime.first?.timePeriod.end.description == "2026-12-01")
            #expect(forecast.forecastResultsByTime.first?.predictionIntervalUpperBound == "150.5")
            let request = server.requests[0].json
            #expect(request["Metric"] == .string("UNBLENDED_COST"))
            #expect(request["TimePeriod"] == .object(["Start": .string("2026-11-27"), "End": .string("2026-12-01")]))
            #expect(costs.usage.usage(of: "GetCostForecast").requests == 1)
        }
    }

    @Test func dates() throws {
        #expect(CostExplorerDate("2026-02-29") == nil)
        #expect(CostExplorerDate("2024-02-29")?.adding(days: 1).description == "2024-03-01")
        #expect(CostExplorerDate("2026-12-31")?.firstOfNextMonth.description == "2027-01-01")
        #expect(CostExplorerDate("2026-11-27T00:00:00Z")?.description == "2026-11-27")
        #expect(CostExplorerDate(Date(timeIntervalSince1970: 1_795_737_600 + 86_399)).description == "2026-11-27")
        let first = try #require(CostExplorerDate("2026-12-01"))
        #expect(CostExplorerDateInterval.monthToDate(today: first).start.description == "2026-11-01")
        #expect(
            CostExplorerDateInterval.monthToDate(today: try #require(CostExplorerDate("2026-11-27"))).start.description
                == "2026-11-01")
    }

    @Test func aBadDateIsMalformed() async throws {
        let body =
            #"{"ResultsByTime":[{"TimePeriod":{"Start":"09/01/2017","End":"2017-10-01"},"Total":{},"Groups":[],"Estimated":false}]}"#
        try await withScriptedAWS(handler: { _ in .respond(body: body) }) { client, _ in
            await #expect {
                try await CostExplorerClient(client: client, logger: testLogger).getCostAndUsage(
                    GetCostAndUsageInput(timePeriod: .monthToDate(today: try #require(CostExplorerDate("2026-11-27")))))
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .malformedResponse && error?.service == "ce"
                    && error?.message.contains("yyyy-MM-dd") == true
            }
        }
    }
}
