import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

/// The clients against the PyPI `moto` server on 127.0.0.1, seeded through our own `AWSClient`.
/// moto has no CloudTrail LookupEvents and no AWS Health: those are tested against captures.
@Suite(.serialized, .tags(.integration)) struct MotoIntegrationTests {
    /// Security Hub with the two operations the test seeds moto with (`AWSService.securityHub`
    /// binds only the ones the worker calls).
    static let securityHubSeeding = AWSService(
        cliName: "securityhub", serviceID: "SecurityHub", signingName: "securityhub", endpointPrefix: "securityhub",
        wireProtocol: .restJSON(operations: [
            "EnableSecurityHub": AWSRESTBinding(method: "POST", path: "/accounts"),
            "BatchImportFindings": AWSRESTBinding(method: "POST", path: "/findings/import"),
        ]))

    /// 520 metrics: ListMetrics needs two pages (moto pages by 500) and GetMetricData two
    /// batches (500 + 20 queries).
    @Test func cloudWatchPutListAndGetMetricData() async throws {
        try await withMotoServer { moto in
            try await withAWSClient(endpoint: moto.endpointURL) { client in
                let now = Date()
                let minute = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - 120)
                for chunk in stride(from: 0, to: 520, by: 260) {
                    let data: [JSONValue] = (chunk..<(chunk + 260)).map { index in
                        .object([
                            "MetricName": .string("Latency"),
                            "Dimensions": .array([.object(["Name": .string("Instance"), "Value": .string("i-\(index)")])]),
                            "Timestamp": .string(AWSTimestamp.iso8601(minute)),
                            "Value": .double(Double(index) + 0.5),
                            "Unit": .string("Milliseconds"),
                        ])
                    }
                    _ = try await client.call(
                        .cloudWatch, operation: "PutMetricData",
                        input: .object(["Namespace": .string("AWSRealtime/Test"), "MetricData": .array(data)]))
                }

                let cloudWatch = CloudWatchClient(client: client, logger: testLogger)
                let listed = try await cloudWatch.listMetrics(
                    ListMetricsInput(namespace: "AWSRealtime/Test", metricName: "Latency"))
                #expect(listed.metrics.count == 520)
                #expect(listed.pages == 2)
                #expect(Set(listed.metrics.compactMap { $0.dimensions.first?.value }).count == 520)

                let queries = listed.metrics.enumerated().map { index, metric in
                    MetricDataQuery.metric(id: "q\(index)", metric, period: 60, stat: "Average")
                }
                let output = try await cloudWatch.getMetricData(
                    GetMetricDataInput(
                        queries: queries, startTime: minute.addingTimeInterval(-300), endTime: now.addingTimeInterval(60)))
                #expect(output.requests == 2)
                #expect(
                    cloudWatch.usage.usage(of: "GetMetricData")
                        == AWSOperationUsage(
                            calls: 1, requests: 2, metricsRequested: 520, outcomes: [.success: 2], billedRequests: 2,
                            billedMetrics: 520)
                )
                #expect(output.results.count == 520)
                for (index, metric) in listed.metrics.enumerated() {
                    let series = try #require(output.result(id: "q\(index)"))
                    let instance = try #require(metric.dimensions.first?.value.dropFirst(2)).description
                    #expect(series.values == [Double(instance).map { $0 + 0.5 } ?? -1], "\(metric)")
                    #expect(series.timestamps == [minute])
                    #expect(series.statusCode == .complete)
                }
            }
        }
    }

    @Test func logsPutThenFilterAcrossPages() async throws {
        try await withMotoServer { moto in
            try await withAWSClient(endpoint: moto.endpointURL) { client in
                let group = "/aws-realtime/test"
                _ = try await client.call(
                    .cloudWatchLogs, operation: "CreateLogGroup", input: .object(["logGroupName": .string(group)]))
                _ = try await client.call(
                    .cloudWatchLogs, operation: "CreateLogStream",
                    input: .object(["logGroupName": .string(group), "logStreamName": .string("app-1")]))
                let base = Int64(Date().timeIntervalSince1970 * 1_000) - 60_000
                let events: [JSONValue] = (0..<5).map { index in
                    .object([
                        "timestamp": .integer(base + Int64(index) * 1_000),
                        "message": .string(index % 2 == 0 ? "ERROR e\(index)" : "INFO i\(index)"),
                    ])
                }
                _ = try await client.call(
                    .cloudWatchLogs, operation: "PutLogEvents",
                    input: .object([
                        "logGroupName": .string(group), "logStreamName": .string("app-1"), "logEvents": .array(events),
                    ]))

                let logs = CloudWatchLogsClient(client: client, logger: testLogger)
                let all = try await logs.filterLogEvents(
                    FilterLogEventsInput(
                        logGroup: .name(group), startTime: Date(timeIntervalSince1970: Double(base) / 1_000 - 1), limit: 2))
                #expect(all.events.map(\.message) == ["ERROR e0", "INFO i1", "ERROR e2", "INFO i3", "ERROR e4"])
                #expect(all.pages == 3)
                #expect(all.events.first?.timestampMilliseconds == base)
                #expect(all.events.allSatisfy { $0.logStreamName == "app-1" && !$0.eventId.isEmpty })

                let errors = try await logs.filterLogEvents(FilterLogEventsInput(logGroup: .name(group), filterPattern: "ERROR"))
                #expect(errors.events.map(\.message) == ["ERROR e0", "ERROR e2", "ERROR e4"])

                await #expect {
                    try await logs.filterLogEvents(FilterLogEventsInput(logGroup: .name("/missing")))
                } throws: { error in
                    (error as? AWSError)?.code == "ResourceNotFoundException"
                }
            }
        }
    }

    @Test func securityHubImportThenGetFindingsAcrossPages() async throws {
        try await withMotoServer { moto in
            try await withAWSClient(endpoint: moto.endpointURL) { client in
                _ = try await client.call(Self.securityHubSeeding, operation: "EnableSecurityHub", input: .object([:]))
                let findings: [JSONValue] = (0..<5).map { index in
                    .object([
                        "SchemaVersion": .string("2018-10-08"),
                        "Id": .string("finding-\(index)"),
                        "ProductArn": .string("arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"),
                        "GeneratorId": .string("aws-realtime-test"),
                        "AwsAccountId": .string("123456789012"),
                        "Types": .array([.string("Software and Configuration Checks")]),
                        "CreatedAt": .string("2026-11-27T00:00:0\(index).000Z"),
                        "UpdatedAt": .string("2026-11-27T01:00:0\(index).500Z"),
                        "Severity": .object(["Label": .string(index == 4 ? "CRITICAL" : "LOW"), "Original": .string("\(index)")]),
                        "Title": .string("Finding \(index)"),
                        "Description": .string("Imported by the test"),
                        "Workflow": .object(["Status": .string("NEW")]),
                        "RecordState": .string("ACTIVE"),
                        "Resources": .array([
                            .object([
                                "Type": .string("AwsEc2Instance"), "Id": .string("i-\(index)"), "Region": .string("us-east-1"),
                            ])
                        ]),
                    ])
                }
                let imported = try await client.call(
                    Self.securityHubSeeding, operation: "BatchImportFindings", input: .object(["Findings": .array(findings)]))
                #expect(imported["SuccessCount"] == .integer(5))

                let securityHub = SecurityHubClient(client: client, logger: testLogger)
                let output = try await securityHub.getFindings(
                    .activeFindings(updatedSince: Date(timeIntervalSince1970: 1_795_737_600), maxResults: 2))
                #expect(output.pages == 3)
                #expect(output.findings.map(\.id) == (0..<5).map { "finding-\($0)" })
                let last = try #require(output.findings.last)
                #expect(last.severity?.label == "CRITICAL")
                #expect(last.severity?.original == "4")
                #expect(last.updatedAt?.timeIntervalSince1970 == 1_795_741_204.5)
                #expect(last.workflowStatus == "NEW")
                #expect(last.resources.first?.id == "i-4")
            }
        }
    }

    /// moto's Cost Explorer answers from a queue set through `/moto-api/static/ce/cost-and-usage-results`:
    /// the first request (no token) gets the first result, the request with its `NextPageToken`
    /// (another body) the second.
    @Test func costExplorerSeededResultsAcrossPages() async throws {
        try await withMotoServer { moto in
            let seed = """
                {"results": [
                  {"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {},
                     "Groups": [{"Keys": ["Amazon Elastic Compute Cloud - Compute"], "Metrics": {"UnblendedCost": {"Amount": "12.3456789", "Unit": "USD"}}}],
                     "Estimated": true}],
                   "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}], "NextPageToken": "moto-page-2"},
                  {"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {},
                     "Groups": [{"Keys": ["Amazon Simple Storage Service"], "Metrics": {"UnblendedCost": {"Amount": "0.0000001", "Unit": "USD"}}}],
                     "Estimated": true},
                    {"TimePeriod": {"Start": "2026-11-02", "End": "2026-11-03"}, "Total": {},
                     "Groups": [{"Keys": ["Amazon Simple Storage Service"], "Metrics": {"UnblendedCost": {"Amount": "1", "Unit": "USD"}}}],
                     "Estimated": true}]}
                ]}
                """
            let seeded = try moto.request("POST", "/moto-api/static/ce/cost-and-usage-results", json: seed)
            #expect(seeded.status == 201)
            try await withAWSClient(endpoint: moto.endpointURL) { client in
                let costs = CostExplorerClient(client: client, logger: testLogger)
                let output = try await costs.getCostAndUsage(
                    GetCostAndUsageInput(
                        timePeriod: CostExplorerDateInterval(
                            start: try #require(CostExplorerDate("2026-11-01")), end: try #require(CostExplorerDate("2026-11-03"))
                        ),
                        granularity: .daily, groupBy: [.service]))
                #expect(output.pages == 2)
                #expect(output.resultsByTime.map(\.timePeriod.start.description) == ["2026-11-01", "2026-11-02"])
                #expect(
                    output.resultsByTime[0].groups.map { $0.keys } == [
                        ["Amazon Elastic Compute Cloud - Compute"], ["Amazon Simple Storage Service"],
                    ])
                #expect(output.resultsByTime[0].groups[1].metrics["UnblendedCost"]?.decimalAmount == Decimal(string: "0.0000001"))
                #expect(output.resultsByTime[0].isEstimated)
                #expect(costs.usage.usage(of: "GetCostAndUsage").requests == 2)
            }
        }
    }
}
