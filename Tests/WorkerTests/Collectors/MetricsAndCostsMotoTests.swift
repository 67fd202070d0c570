import AWSCore
import AWSServices
import Foundation
import Payloads
import TestSupport
import Testing
import Worker

/// Both collectors against the PyPI moto server on 127.0.0.1, seeded by the test: CloudWatch
/// through `PutMetricData`, Cost Explorer through moto's `/moto-api/static/ce/cost-and-usage-results`.
@Suite(.serialized, .tags(.integration)) struct MetricsAndCostsMotoTests {
    @Test func metricsDiscoveredAndFetchedFromMoto() async throws {
        try await withMotoServer { moto in
            try await CollectorFixtures.withClient(endpoint: moto.endpointURL) { client in
                let now = Date()
                let minute = (now.timeIntervalSince1970 / 60).rounded(.down) * 60
                let earlier = Date(timeIntervalSince1970: minute - 120)
                let current = Date(timeIntervalSince1970: minute)
                var data: [JSONValue] = []
                for (service, value) in [("api", 100.0), ("worker", 7.0)] {
                    for (timestamp, offset) in [(earlier, 0.0), (current, 1.0)] {
                        data.append(
                            .object([
                                "MetricName": .string("RequestCount"),
                                "Dimensions": .array([.object(["Name": .string("Service"), "Value": .string(service)])]),
                                "Timestamp": .string(AWSTimestamp.iso8601(timestamp)),
                                "Value": .double(value + offset),
                                "Unit": .string("Count"),
                            ]))
                    }
                }
                _ = try await client.call(
                    .cloudWatch, operation: "PutMetricData",
                    input: .object(["Namespace": .string("AWSRealtime/Collectors"), "MetricData": .array(data)]))

                var settings = MetricsSettings()
                settings.discoveryNamespaces = ["AWSRealtime/Collectors", "AWS/EC2"]
                settings.discoveryPeriod = 60
                settings.windowPeriods = 5
                let cloudWatch = CloudWatchClient(client: client, logger: CollectorFixtures.logger)
                let collector = MetricsCollector(
                    cloudWatch: cloudWatch, settings: settings, logger: CollectorFixtures.logger, now: { now })
                let batches = try await collector.collect(from: [:])
                #expect(cloudWatch.usage.usage(of: "ListMetrics").requests == 2)
                #expect(cloudWatch.usage.usage(of: "GetMetricData").requests == 1)
                let payload = try JSONDecoder().decode(MetricsData.self, from: Data(try #require(batches.first).data))
                #expect(
                    payload.series.map(\.id) == [
                        "AWSRealtime/Collectors|RequestCount|Service=api|Sum|60",
                        "AWSRealtime/Collectors|RequestCount|Service=worker|Sum|60",
                    ])
                let api = try #require(payload.series.first)
                #expect(
                    api.points == [
                        MetricPoint(t: ISO8601.string(from: earlier), v: 100, partial: false),
                        MetricPoint(t: ISO8601.string(from: current), v: 101, partial: true),
                    ])
                #expect(api.unit == "Count")
                #expect(payload.series.last?.latest?.v == 8)
                try await CollectorFixtures.expectValid(batches, schema: "aws-metrics")

                // A new leader without the cursor reads again (it is due), with discovery cached.
                let again = try await collector.collect(from: [:])
                #expect(cloudWatch.usage.usage(of: "ListMetrics").requests == 2, "discovery is cached")
                try await CollectorFixtures.expectValid(again, schema: "aws-metrics")
            }
        }
    }

    @Test func costsFromSeededMoto() async throws {
        try await withMotoServer { moto in
            let seed = """
                {"results": [
                  {"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {},
                     "Groups": [{"Keys": ["Amazon Elastic Compute Cloud - Compute"], "Metrics": {"UnblendedCost": {"Amount": "12.3456789", "Unit": "USD"}}}],
                     "Estimated": false}],
                   "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}], "NextPageToken": "moto-page-2"},
                  {"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {},
                     "Groups": [{"Keys": ["Amazon Simple Storage Service"], "Metrics": {"UnblendedCost": {"Amount": "0.5", "Unit": "USD"}}}],
                     "Estimated": false},
                    {"TimePeriod": {"Start": "2026-11-02", "End": "2026-11-03"}, "Total": {},
                     "Groups": [{"Keys": ["Amazon Simple Storage Service"], "Metrics": {"UnblendedCost": {"Amount": "1", "Unit": "USD"}}}],
                     "Estimated": true}]}
                ]}
                """
            let seeded = try moto.request("POST", "/moto-api/static/ce/cost-and-usage-results", json: seed)
            #expect(seeded.status == 201)
            try await CollectorFixtures.withClient(endpoint: moto.endpointURL) { client in
                let date = try CollectorFixtures.date("2026-11-02T12:00:00Z")
                let costExplorer = CostExplorerClient(client: client, logger: CollectorFixtures.logger)
                let collector = CostsCollector(costExplorer: costExplorer, logger: CollectorFixtures.logger, now: { date })
                let batches = try await collector.collect(from: [:])
                #expect(costExplorer.usage.usage(of: "GetCostAndUsage").requests == 2)
                let data = try JSONDecoder().decode(CostsData.self, from: Data(try #require(batches.first).data))
                #expect(data.start == "2026-11-01")
                #expect(data.end == "2026-11-03")
                #expect(data.total == 13.8456789)
                #expect(data.estimated)
                #expect(
                    data.byDay == [
                        CostsData.Day(date: "2026-11-01", amount: 12.8456789, estimated: false),
                        CostsData.Day(date: "2026-11-02", amount: 1, estimated: true),
                    ])
                #expect(
                    data.byGroup == [
                        CostsData.Group(key: "Amazon Elastic Compute Cloud - Compute", amount: 12.3456789),
                        CostsData.Group(key: "Amazon Simple Storage Service", amount: 1.5),
                    ])
                #expect(Int(batches.first?.cursor["requests"] ?? "") ?? 99 <= CostsCollector.maxRequestsPerPoll)
                try await CollectorFixtures.expectValid(batches, schema: "aws-costs")
            }
        }
    }
}
