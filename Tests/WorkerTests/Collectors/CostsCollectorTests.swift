import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Payloads
import Testing

@testable import Worker

/// The costs collector against Cost Explorer answers replayed on 127.0.0.1 through the real
/// libcurl path: pages, TAG grouping, forecast failure, the per-poll request cap, errors.
@Suite struct CostsCollectorTests {
    static func collector(_ client: AWSClient, settings: CostsSettings = CostsSettings(), now: String) throws -> CostsCollector {
        let date = try CollectorFixtures.date(now)
        return CostsCollector(
            costExplorer: CostExplorerClient(client: client, logger: CollectorFixtures.logger), settings: settings,
            logger: CollectorFixtures.logger, now: { date })
    }

    static func decode(_ batches: [CollectedBatch]) throws -> CostsData {
        let batch = try #require(batches.first)
        return try JSONDecoder().decode(CostsData.self, from: Data(batch.data))
    }

    static let serviceRequest =
        #"{"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"}]}"#
    static let forecastRequest = #"{"Metric":"UNBLENDED_COST","Granularity":"MONTHLY"}"#

    static func page(_ results: String, groupBy: String = #"{"Type":"DIMENSION","Key":"SERVICE"}"#, token: String? = nil)
        -> String
    {
        let next = token.map { #","NextPageToken":"\#($0)""# } ?? ""
        return #"{"GroupDefinitions":[\#(groupBy)],"ResultsByTime":[\#(results)]\#(next)}"#
    }

    /// `collectors-costs/month-pages`: two pages (2026-11-02 split across them) and the forecast.
    @Test func monthToDateAcrossPagesWithForecast() async throws {
        let captures = try CollectorFixtures.captures("collectors-costs/month-pages")
        let (batches, usage) = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .notFound }) {
            client in
            let collector = try Self.collector(client, now: "2026-11-27T15:00:00Z")
            return (try await collector.collect(from: [:]), collector.costExplorer.usage.snapshot)
        }
        #expect(batches.count == 1)
        #expect(batches.first?.type == "costs")
        // The cursor counts the day's billed requests, for the daily cap.
        #expect(batches.first?.cursor == ["lastPoll": "2026-11-27T15:00:00.000Z", "day": "2026-11-27", "requests": "3"])
        #expect(usage.values.reduce(0) { $0 + $1.requests } == 3)
        #expect(abs(usage.reduce(0) { $0 + $1.value.dollars(of: $1.key) } - 0.03) < 1e-12)
        let data = try Self.decode(batches)
        #expect(data.start == "2026-11-01")
        #expect(data.end == "2026-11-28")
        #expect(data.currency == "USD")
        #expect(data.total == 27.0000001)
        #expect(data.estimated)
        #expect(
            data.byDay == [
                CostsData.Day(date: "2026-11-01", amount: 10.2500001, estimated: false),
                CostsData.Day(date: "2026-11-02", amount: 12, estimated: false),
                CostsData.Day(date: "2026-11-27", amount: 4.75, estimated: true),
            ])
        #expect(data.groupBy == "SERVICE")
        #expect(
            data.byGroup == [
                CostsData.Group(key: "Amazon Elastic Compute Cloud - Compute", amount: 25.75),
                CostsData.Group(key: "AWS Lambda", amount: 1.25),
                CostsData.Group(key: "Amazon Simple Storage Service", amount: 0.0000001),
            ])
        let forecast = try #require(data.forecast)
        #expect(forecast.amount == 57.5000001)
        #expect(forecast.start == "2026-11-01")
        #expect(forecast.end == "2026-12-01")
        try await CollectorFixtures.expectValid(batches, schema: "aws-costs")
    }

    @Test func tagGroupingShowsTagValuesAndUntagged() async throws {
        let tagGroup = #"{"Type":"TAG","Key":"Team"}"#
        let request = #"{"Granularity":"DAILY","Metrics":["AmortizedCost"],"GroupBy":[\#(tagGroup)]}"#
        func group(_ key: String, _ amount: String) -> String {
            #"{"Keys":["\#(key)"],"Metrics":{"AmortizedCost":{"Amount":"\#(amount)","Unit":"USD"}}}"#
        }
        let results =
            #"{"TimePeriod":{"Start":"2026-11-01","End":"2026-11-02"},"Total":{},"Groups":["#
            + [group("Team$web", "3"), group("Team$", "5"), group("Team$data", "1.5")].joined(separator: ",")
            + #"],"Estimated":true}"#
        let captures = [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: request,
                response: Self.page(results, groupBy: tagGroup))
        ]
        var settings = CostsSettings()
        settings.groupBy = "TAG:Team"
        settings.metric = "AmortizedCost"
        settings.includeForecast = false
        let configured = settings
        let batches = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .notFound }) { client in
            try await Self.collector(client, settings: configured, now: "2026-11-01T08:00:00Z").collect(from: [:])
        }
        let data = try Self.decode(batches)
        #expect(data.start == "2026-11-01")
        #expect(data.end == "2026-11-02", "on the 1st the period is just today")
        #expect(data.groupBy == "Team")
        #expect(
            data.byGroup == [
                CostsData.Group(key: "(untagged)", amount: 5), CostsData.Group(key: "web", amount: 3),
                CostsData.Group(key: "data", amount: 1.5),
            ])
        #expect(data.total == 9.5)
        #expect(data.forecast == nil)
        #expect(batches.first?.cursor["requests"] == "1")
        try await CollectorFixtures.expectValid(batches, schema: "aws-costs")
    }

    /// From a management account, `perLinkedAccount` groups by `LINKED_ACCOUNT` then `SERVICE` in
    /// one request and publishes one payload per linked account under its id, each with every
    /// day of the period (zero where it had no costs) and its own services; no forecast request.
    @Test func perLinkedAccountPublishesEachAccountsOwnCosts() async throws {
        let groupBy = #"{"Type":"DIMENSION","Key":"LINKED_ACCOUNT"},{"Type":"DIMENSION","Key":"SERVICE"}"#
        let request = #"{"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[\#(groupBy)]}"#
        func group(_ account: String, _ service: String, _ amount: String) -> String {
            #"{"Keys":["\#(account)","\#(service)"],"Metrics":{"UnblendedCost":{"Amount":"\#(amount)","Unit":"USD"}}}"#
        }
        func day(_ start: String, _ end: String, _ groups: [String]) -> String {
            #"{"TimePeriod":{"Start":"\#(start)","End":"\#(end)"},"Total":{},"Groups":["#
                + groups.joined(separator: ",") + #"],"Estimated":false}"#
        }
        let results = [
            day(
                "2026-11-01", "2026-11-02", [group("111111111111", "AWS Lambda", "1.5"), group("222222222222", "Amazon S3", "2")]),
            day(
                "2026-11-02", "2026-11-03",
                [group("111111111111", "AWS Lambda", "0.5"), group("111111111111", "Amazon S3", "3"), group("", "Tax", "9")]),
        ].joined(separator: ",")
        let captures = [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: request,
                response: Self.page(results, groupBy: groupBy))
        ]
        var settings = CostsSettings()
        settings.perLinkedAccount = true
        let configured = settings
        let (batches, requests) = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .notFound }) {
            client in
            let collector = try Self.collector(client, settings: configured, now: "2026-11-02T08:00:00Z")
            return (
                try await collector.collect(from: [:]),
                collector.costExplorer.usage.snapshot.values.reduce(0) { $0 + $1.requests }
            )
        }
        #expect(requests == 1, "one GetCostAndUsage, no forecast")
        #expect(batches.map(\.account) == ["111111111111", "222222222222"])
        let payloads = try batches.map { try JSONDecoder().decode(CostsData.self, from: Data($0.data)) }
        #expect(payloads.map(\.total) == [5, 2])
        #expect(payloads[0].byDay.map(\.amount) == [1.5, 3.5])
        #expect(payloads[1].byDay.map(\.amount) == [2, 0])
        #expect(
            payloads[0].byGroup == [CostsData.Group(key: "Amazon S3", amount: 3), CostsData.Group(key: "AWS Lambda", amount: 2)])
        #expect(payloads[1].byGroup == [CostsData.Group(key: "Amazon S3", amount: 2)])
        #expect(payloads.allSatisfy { $0.groupBy == "SERVICE" && $0.forecast == nil })
        #expect(batches.allSatisfy { $0.cursor["requests"] == "1" })
        try await CollectorFixtures.expectValid(batches, schema: "aws-costs")
    }

    @Test func aForecastFailureKeepsTheMonthToDate() async throws {
        let results =
            #"{"TimePeriod":{"Start":"2026-11-01","End":"2026-11-02"},"Total":{},"Groups":["#
            + #"{"Keys":["AWS Lambda"],"Metrics":{"UnblendedCost":{"Amount":"0.42","Unit":"USD"}}}],"Estimated":true}"#
        let captures = [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: Self.serviceRequest,
                response: Self.page(results)),
            CollectorFixtures.costExplorer(
                "0002-ce-GetCostForecast.json", operation: "GetCostForecast", request: Self.forecastRequest,
                response:
                    #"{"__type":"DataUnavailableException","Message":"Insufficient amount of historical data to generate forecast."}"#,
                status: 400),
        ]
        let batches = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .notFound }) { client in
            try await Self.collector(client, now: "2026-11-01T08:00:00Z").collect(from: [:])
        }
        let data = try Self.decode(batches)
        #expect(data.forecast == nil)
        #expect(data.total == 0.42)
        #expect(data.byGroup == [CostsData.Group(key: "AWS Lambda", amount: 0.42)])
        #expect(batches.first?.cursor["requests"] == "2", "the failed forecast request counts against the daily cap too")
        let json = String(decoding: batches.first?.data ?? [], as: UTF8.self)
        #expect(!json.contains("forecast"))
        try await CollectorFixtures.expectValid(batches, schema: "aws-costs")
    }

    @Test func theLastDayOfTheMonthHasNoForecastRequest() async throws {
        let results = #"{"TimePeriod":{"Start":"2026-11-30","End":"2026-12-01"},"Total":{},"Groups":[],"Estimated":true}"#
        let captures = [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: Self.serviceRequest,
                response: Self.page(results))
        ]
        let batches = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .notFound }) { client in
            let collector = try Self.collector(client, now: "2026-11-30T23:59:59Z")
            let batches = try await collector.collect(from: [:])
            #expect(collector.costExplorer.usage.usage(of: "GetCostForecast").requests == 0)
            return batches
        }
        let data = try Self.decode(batches)
        #expect(data.start == "2026-11-01")
        #expect(data.end == "2026-12-01")
        #expect(data.forecast == nil)
        #expect(data.total == 0)
        #expect(data.byGroup.isEmpty)
        #expect(data.byDay == [CostsData.Day(date: "2026-11-30", amount: 0, estimated: true)])
        try await CollectorFixtures.expectValid(batches, schema: "aws-costs")
    }

    /// A Cost Explorer that always has another page: the poll stops after 3 requests ($0.03) with
    /// a `.limitExceeded` error and makes no forecast request.
    @Test func endlessPagesStopAtTheRequestCap() async throws {
        let results = #"{"TimePeriod":{"Start":"2026-11-01","End":"2026-11-02"},"Total":{},"Groups":[],"Estimated":true}"#
        let captures = ["A", "B"].enumerated().map { index, token in
            CollectorFixtures.costExplorer(
                "000\(index + 1)-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: Self.serviceRequest,
                response: Self.page(results, token: "token-\(token)"))
        }
        let requests = try await CollectorFixtures.withReplay(captures, configure: { $0.exhaustion = .cycle }) { client in
            let collector = try Self.collector(client, now: "2026-11-27T15:00:00Z")
            await #expect {
                try await collector.collect(from: [:])
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .limitExceeded && error?.service == "ce" && error?.operation == "GetCostAndUsage"
                    && error?.message.contains("3 requests") == true
            }
            return collector.costExplorer.usage.snapshot.mapValues(\.requests)
        }
        #expect(requests == ["GetCostAndUsage": 3])
        #expect(CostsCollector.maxRequestsPerPoll == 4)
    }

    @Test func anAWSErrorSurfacesWithServiceAndOperation() async throws {
        let captures = [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: Self.serviceRequest,
                response:
                    #"{"__type":"AccessDeniedException","Message":"User is not authorized to perform: ce:GetCostAndUsage"}"#,
                status: 400)
        ]
        await #expect {
            try await CollectorFixtures.withReplay(captures) { client in
                try await Self.collector(client, now: "2026-11-27T15:00:00Z").collect(from: [:])
            }
        } throws: { error in
            let error = error as? AWSError
            return error?.kind == .service && error?.service == "ce" && error?.operation == "GetCostAndUsage"
                && error?.code == "AccessDeniedException"
        }
    }

    @Test func groupingAndForecastMetricNames() throws {
        #expect(CostsNormalizer.forecastMetric("UnblendedCost") == "UNBLENDED_COST")
        #expect(CostsNormalizer.forecastMetric("NetAmortizedCost") == "NET_AMORTIZED_COST")
        let tag = try CostsGrouping("TAG:cost-center")
        #expect(tag.definition == .tag("cost-center"))
        #expect(tag.groupName(["cost-center$ops"]) == "ops")
        #expect(tag.groupName(["cost-center$"]) == "(untagged)")
        #expect(try CostsGrouping("LINKED_ACCOUNT").definition == .dimension("LINKED_ACCOUNT"))
        #expect(throws: ConfigurationError.self) { try CostsGrouping("TAG:") }
    }

    /// At most `maxRequestsPerDay` (4) billed Cost Explorer requests a UTC day, usage and forecast
    /// together: a third poll the same day makes no request and says when the next one fits; the
    /// count is kept in the cursor, so a new leader keeps to it too.
    @Test func atMostFourRequestsAUTCDay() async throws {
        let results =
            #"{"TimePeriod":{"Start":"2026-11-27","End":"2026-11-28"},"Total":{},"Groups":[],"Estimated":true}"#
        let captures = [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: Self.serviceRequest,
                response: Self.page(results)),
            CollectorFixtures.costExplorer(
                "0002-ce-GetCostForecast.json", operation: "GetCostForecast", request: Self.forecastRequest,
                response: #"{"Total":{"Amount":"10","Unit":"USD"},"ForecastResultsByTime":[]}"#),
        ]
        try await CollectorFixtures.withReplay(captures) { client in
            let collector = try Self.collector(client, now: "2026-11-27T15:00:00Z")
            var cursor: [String: String] = [:]
            for _ in 0..<2 {
                let poll = try await collector.poll(from: cursor)
                #expect(poll.batches.count == 1)
                cursor = try #require(poll.cursor)
            }
            #expect(cursor["requests"] == "4")
            let third = try await collector.poll(from: cursor)
            #expect(third.batches.isEmpty)
            #expect(collector.costExplorer.usage.total.requests == 4)
            let afternoon = try CollectorFixtures.date("2026-11-27T16:00:00Z")
            #expect(collector.nextDue(cursor: cursor, now: afternoon) == (try CollectorFixtures.date("2026-11-28T00:00:00Z")))
            // Another process (a new leader) with the same cursor keeps to the cap.
            let successor = try Self.collector(client, now: "2026-11-27T18:00:00Z")
            #expect(try await successor.poll(from: cursor).batches.isEmpty)
            #expect(successor.costExplorer.usage.total.requests == 0)
            // The next UTC day it reads again.
            let tomorrow = try Self.collector(client, now: "2026-11-28T00:00:05Z")
            #expect(tomorrow.nextDue(cursor: cursor, now: try CollectorFixtures.date("2026-11-28T00:00:05Z")) == nil)
            #expect(try await tomorrow.poll(from: cursor).batches.count == 1)
        }
    }
}
