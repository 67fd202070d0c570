import AWSCore
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AWSServices

@Suite struct CloudWatchClientTests {
    static let xml = "text/xml"

    @Test func listMetricsFollowsNextTokenToTheEnd() async throws {
        let pages = [
            try fixtures.text("cloudwatch/ListMetrics-page1.xml"), try fixtures.text("cloudwatch/ListMetrics-page2.xml"),
        ]
        let handler = pagedHandler(pages: pages, tokens: ["eyJwYWdlIjoyfQ=="], contentType: Self.xml) {
            $0.formFields["NextToken"]
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let cloudWatch = CloudWatchClient(client: client, logger: testLogger)
            let output = try await cloudWatch.listMetrics(
                ListMetricsInput(namespace: "AWS/ELB", dimensions: [.init(name: "Namespace")], recentlyActive: .pastThreeHours))
            #expect(output.pages == 2)
            #expect(output.metrics.count == 12)
            #expect(
                output.metrics.first
                    == CloudWatchMetric(
                        namespace: "AWS/Route53", metricName: "TimeToFirstByte",
                        dimensions: [CloudWatchDimension(name: "HealthCheckId", value: "726bed8e-c205-47d7-9d26-f8e61799b1a3")]))
            #expect(output.metrics.last?.namespace == "AWS/ELB")

            let requests = server.requests
            #expect(requests.count == 2)
            let first = requests[0].formFields
            #expect(first["Action"] == "ListMetrics")
            #expect(first["Namespace"] == "AWS/ELB")
            #expect(first["Dimensions.member.1.Name"] == "Namespace")
            #expect(first["RecentlyActive"] == "PT3H")
            #expect(first["NextToken"] == nil)
            #expect(requests[1].formFields["NextToken"] == "eyJwYWdlIjoyfQ==")
            #expect(
                cloudWatch.usage.usage(of: "ListMetrics")
                    == AWSOperationUsage(calls: 1, requests: 2, outcomes: [.success: 2], billedRequests: 2))
        }
    }

    @Test func listMetricsEmpty() async throws {
        let body = try fixtures.text("cloudwatch/ListMetrics-empty.xml")
        try await withScriptedAWS(handler: { _ in .respond(headers: [("Content-Type", Self.xml)], body: body) }) {
            client, server in
            let output = try await CloudWatchClient(client: client, logger: testLogger).listMetrics()
            #expect(output.metrics.isEmpty)
            #expect(output.pages == 1)
            #expect(server.requests.count == 1)
        }
    }

    @Test func throttlingSurfacesAsAWSError() async throws {
        let body = try fixtures.text("errors/query-Throttling.xml")
        try await withScriptedAWS(handler: { _ in .respond(status: 400, headers: [("Content-Type", Self.xml)], body: body) }) {
            client, _ in
            let cloudWatch = CloudWatchClient(client: client, logger: testLogger)
            await #expect {
                try await cloudWatch.getMetricData(Self.input(queries: Self.queries(3)))
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .service && error?.code == "Throttling" && error?.service == "cloudwatch"
                    && error?.operation == "GetMetricData" && error?.httpStatus == 400
            }
        }
    }

    /// 1,200 metrics cost exactly ceil(1200/500) = 3 requests of 500, 500 and 200 queries.
    @Test func getMetricDataBatchesByFiveHundred() async throws {
        let queryCounts = Mutex<[Int]>([])
        let handler: HTTPTestServer.Handler = { request in
            let fields = request.formFields
            let ids = fields.filter { $0.key.hasPrefix("MetricDataQueries.member.") && $0.key.hasSuffix(".Id") }
            queryCounts.withLock { $0.append(ids.count) }
            // Answer each query with one point.
            let members = ids.values.sorted().map { id in
                "<member><Id>\(id)</Id><Label>\(id)</Label><Timestamps><member>2026-11-27T00:00:00Z</member></Timestamps>"
                    + "<Values><member>1.5</member></Values><StatusCode>Complete</StatusCode></member>"
            }
            let body =
                #"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>"#
                + "<MetricDataResults>\(members.joined())</MetricDataResults><Messages/></GetMetricDataResult>"
                + "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetMetricDataResponse>"
            return .respond(headers: [("Content-Type", Self.xml)], body: body)
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let cloudWatch = CloudWatchClient(client: client, logger: testLogger)
            let output = try await cloudWatch.getMetricData(Self.input(queries: Self.queries(1_200)))
            #expect(server.requests.count == 3)
            #expect(output.requests == 3)
            #expect(queryCounts.withLock { $0 } == [500, 500, 200])
            #expect(server.requests.allSatisfy { $0.formFields["MetricDataQueries.member.501.Id"] == nil })
            #expect(output.results.count == 1_200)
            #expect(Set(output.results.map(\.id)) == Set((0..<1_200).map { "m\($0)" }))
            let first = server.requests[0].formFields
            #expect(first["Action"] == "GetMetricData")
            #expect(first["StartTime"] == "2026-11-27T00:00:00Z")
            #expect(first["EndTime"] == "2026-11-27T01:00:00Z")
            #expect(first["ScanBy"] == "TimestampAscending")
            #expect(first["MetricDataQueries.member.1.MetricStat.Metric.Namespace"] == "AWS/EC2")
            #expect(first["MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value"] == "i-0")
            #expect(first["MetricDataQueries.member.1.MetricStat.Period"] == "60")
            #expect(first["MetricDataQueries.member.1.MetricStat.Stat"] == "Average")
            let usage = cloudWatch.usage.usage(of: "GetMetricData")
            #expect(
                usage
                    == AWSOperationUsage(
                        calls: 1, requests: 3, metricsRequested: 1_200, outcomes: [.success: 3], billedRequests: 3,
                        billedMetrics: 1_200))
            #expect(abs(cloudWatch.estimatedGetMetricDataCostUSD - 0.012) < 1e-9)
        }
    }

    @Test func partialSeriesAreMergedAcrossPages() async throws {
        let pages = [
            try fixtures.text("cloudwatch/GetMetricData-page1.xml"), try fixtures.text("cloudwatch/GetMetricData-page2.xml"),
        ]
        let handler = pagedHandler(pages: pages, tokens: ["eyJtMSI6MTYzNzA3MzYwMH0="], contentType: Self.xml) {
            $0.formFields["NextToken"]
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let output = try await CloudWatchClient(client: client, logger: testLogger).getMetricData(
                Self.input(queries: Self.queries(2)))
            #expect(server.requests.count == 2)
            #expect(server.requests[1].formFields["NextToken"] == "eyJtMSI6MTYzNzA3MzYwMH0=")
            // Both requests carry the same queries.
            #expect(server.requests[1].formFields["MetricDataQueries.member.2.Id"] == "m1")
            #expect(output.results.map(\.id) == ["m1", "q1"])
            let m1 = try #require(output.result(id: "m1"))
            #expect(m1.statusCode == .complete)
            #expect(m1.label == "Unhealthy Behind Load Balancer")
            #expect(m1.timestamps.map(\.timeIntervalSince1970) == [1_637_074_200, 1_637_073_900, 1_637_073_600])
            #expect(m1.values == [0, 0, 0])
            let q1 = try #require(output.result(id: "q1"))
            #expect(q1.values == [1.2158469945359334, 0.8678863271635757, 0.7201860957623283])
            #expect(q1.timestamps.count == 3)
        }
    }

    @Test func duplicateIDsAreRefusedBeforeSending() async throws {
        try await withScriptedAWS(handler: { _ in .respond(body: "") }) { client, server in
            var queries = Self.queries(2)
            queries[1].id = queries[0].id
            await #expect {
                try await CloudWatchClient(client: client, logger: testLogger).getMetricData(Self.input(queries: queries))
            } throws: { error in
                (error as? AWSError)?.kind == .invalidInput
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func noQueriesMeansNoRequest() async throws {
        try await withScriptedAWS(handler: { _ in .respond(body: "") }) { client, server in
            let output = try await CloudWatchClient(client: client, logger: testLogger).getMetricData(Self.input(queries: []))
            #expect(output.results.isEmpty)
            #expect(output.requests == 0)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func pageLimitStopsAnEndlessToken() async throws {
        let handler: HTTPTestServer.Handler = { request in
            let next = Int(request.formFields["NextToken"] ?? "0") ?? 0
            let body = try? fixtures.text("cloudwatch/ListMetrics-page1.xml").replacingOccurrences(
                of: "eyJwYWdlIjoyfQ==", with: "\(next + 1)")
            return .respond(headers: [("Content-Type", Self.xml)], body: body ?? "")
        }
        try await withScriptedAWS(handler: handler) { client, server in
            let cloudWatch = CloudWatchClient(client: client, pagination: AWSPaginationLimits(maxPages: 5), logger: testLogger)
            await #expect {
                try await cloudWatch.listMetrics()
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .limitExceeded && error?.operation == "ListMetrics"
            }
            #expect(server.requests.count == 5)
        }
    }

    static func queries(_ count: Int) -> [MetricDataQuery] {
        (0..<count).map { index in
            MetricDataQuery.metric(
                id: "m\(index)",
                CloudWatchMetric(
                    namespace: "AWS/EC2", metricName: "CPUUtilization",
                    dimensions: [CloudWatchDimension(name: "InstanceId", value: "i-\(index)")]),
                period: 60, stat: "Average")
        }
    }

    static func input(queries: [MetricDataQuery]) -> GetMetricDataInput {
        GetMetricDataInput(
            queries: queries, startTime: Date(timeIntervalSince1970: 1_795_737_600),
            endTime: Date(timeIntervalSince1970: 1_795_741_200))
    }
}
