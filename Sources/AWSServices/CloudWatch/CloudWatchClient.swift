import AWSCore
import Logging

/// CloudWatch metrics: `ListMetrics` and `GetMetricData` (query protocol, XML), each paginated
/// to the end, `GetMetricData` batched by 500 queries.
///
/// Usage is counted in ``usage``: `GetMetricData` bills per 1,000 metrics requested, so one poll
/// of M metrics should cost ceil(M/500) requests, never one request per metric.
public struct CloudWatchClient: AWSServiceCoreClient, AWSPaginatedClient {
    static var service: AWSService { .cloudWatch }

    public var core: AWSServiceCore

    public init(core: AWSServiceCore) {
        self.core = core
    }

    /// Every metric matching `input`, following `NextToken` to the end.
    public func listMetrics(_ input: ListMetricsInput = ListMetricsInput()) async throws -> ListMetricsOutput {
        var metrics: [CloudWatchMetric] = []
        var owningAccounts: [String] = []
        let pages = try await readCall(of: "ListMetrics") {
            try await listMetricsPage(input, nextToken: $0)
        } read: { page in
            metrics += page.metrics
            owningAccounts += page.owningAccounts
        }
        return ListMetricsOutput(metrics: metrics, owningAccounts: owningAccounts, pages: pages)
    }

    /// One page of `ListMetrics`.
    public func listMetricsPage(_ input: ListMetricsInput, nextToken: String? = nil) async throws -> ListMetricsPage {
        let operation = AWSOperation.cloudWatchListMetrics.name
        let request = try AWSClient.operationRequest(.cloudWatchListMetrics, input: input.queryInput(nextToken: nextToken))
        try await budgets.acquire(.listMetrics, service: .cloudWatch, operation: operation)
        let response = try await usage.measure(operation) { try await client.send(request) }
        let document: JSONValue
        do {
            document = try QueryProtocol.decodeResponse(operation: operation, body: response.body)
        } catch {
            throw AWSError(
                kind: .malformedResponse, service: "cloudwatch", operation: operation, message: error.message, underlying: error)
        }
        return try ListMetricsPage(document: document)
    }

    /// Every series of `input`'s queries over its time range: the queries go in batches of 500
    /// (ceil(M/500) requests plus any further pages), each batch paginated to the end and its
    /// pages merged by `Id`.
    ///
    /// - Throws: `AWSError` with kind `.invalidInput` for an empty or duplicate `Id`, before
    ///   anything is sent; `.limitExceeded` past the page limit; AWS's errors.
    public func getMetricData(_ input: GetMetricDataInput) async throws -> GetMetricDataOutput {
        let operation = "GetMetricData"
        try Self.validateIDs(input.queries)
        usage.recordCall(operation)
        var merger = MetricDataMerger()
        var requests = 0
        var batchStart = input.queries.startIndex
        while batchStart < input.queries.endIndex {
            let batchEnd = min(batchStart + GetMetricDataInput.maxQueriesPerRequest, input.queries.endIndex)
            let batch = input.queries[batchStart..<batchEnd]
            requests += try await readPages(of: operation) {
                try await getMetricDataPage(input, batch: batch, nextToken: $0)
            } read: {
                merger.add($0)
            }
            batchStart = batchEnd
        }
        if requests > 0 {
            logger.debug(
                "GetMetricData done",
                metadata: [
                    "aws.requests": "\(requests)", "aws.metrics": "\(input.queries.count)",
                    "aws.series": "\(merger.results.count)",
                ])
        }
        return GetMetricDataOutput(results: merger.results, messages: merger.messages, requests: requests)
    }

    /// One request of `GetMetricData` for at most 500 of `input`'s queries.
    public func getMetricDataPage(
        _ input: GetMetricDataInput, batch: ArraySlice<MetricDataQuery>, nextToken: String? = nil
    ) async throws -> GetMetricDataPage {
        let operation = AWSOperation.cloudWatchGetMetricData.name
        guard batch.count <= GetMetricDataInput.maxQueriesPerRequest else {
            throw AWSError(
                kind: .invalidInput, service: "cloudwatch", operation: operation,
                message:
                    "\(batch.count) queries in one request; CloudWatch takes at most \(GetMetricDataInput.maxQueriesPerRequest)")
        }
        let request = try AWSClient.operationRequest(
            .cloudWatchGetMetricData, input: input.queryInput(batch: batch, nextToken: nextToken))
        try await budgets.acquire(.getMetricData, service: .cloudWatch, operation: operation)
        let response = try await usage.measure(operation, metrics: batch.count) { try await client.send(request) }
        return try GetMetricDataResponseParser.parse(response.body)
    }

    /// What the `GetMetricData` requests so far cost at $0.01 per 1,000 metrics requested (``AWSBilling``).
    public var estimatedGetMetricDataCostUSD: Double {
        usage.usage(of: "GetMetricData").dollars(of: "GetMetricData")
    }

    static func validateIDs(_ queries: [MetricDataQuery]) throws(AWSError) {
        var seen = Set<String>()
        seen.reserveCapacity(queries.count)
        for query in queries {
            guard !query.id.isEmpty else {
                throw AWSError(
                    kind: .invalidInput, service: "cloudwatch", operation: "GetMetricData", message: "a query has an empty Id")
            }
            guard seen.insert(query.id).inserted else {
                throw AWSError(
                    kind: .invalidInput, service: "cloudwatch", operation: "GetMetricData",
                    message: "the Id '\(query.id)' is used by more than one query; series are merged by Id, so Ids must be unique"
                )
            }
        }
    }
}
