import AWSCore
import Logging

/// Cost Explorer `GetCostAndUsage` (paginated to the end) and `GetCostForecast` (JSON 1.1,
/// global endpoint). Every request is billed $0.01: ``usage`` counts them.
public struct CostExplorerClient: AWSServiceCoreClient, AWSPaginatedClient {
    static var service: AWSService { .costExplorer }

    public var core: AWSServiceCore

    public init(core: AWSServiceCore) {
        self.core = core
    }

    /// Every period of `input`, following `NextPageToken` to the end.
    public func getCostAndUsage(_ input: GetCostAndUsageInput) async throws -> GetCostAndUsageOutput {
        var results: [CostAndUsageResult] = []
        var definitions: [GetCostAndUsageInput.GroupDefinition] = []
        let pages = try await readCall(of: "GetCostAndUsage") {
            try await getCostAndUsagePage(input, nextPageToken: $0)
        } read: { page in
            if definitions.isEmpty { definitions = page.groupDefinitions }
            for result in page.resultsByTime {
                if let last = results.last, last.timePeriod == result.timePeriod {
                    results[results.count - 1].groups += result.groups
                    results[results.count - 1].total.merge(result.total) { _, new in new }
                } else {
                    results.append(result)
                }
            }
        }
        return GetCostAndUsageOutput(resultsByTime: results, groupDefinitions: definitions, pages: pages)
    }

    /// One page of `GetCostAndUsage`.
    public func getCostAndUsagePage(_ input: GetCostAndUsageInput, nextPageToken: String? = nil) async throws
        -> GetCostAndUsagePage
    {
        try await call(.costExplorerGetCostAndUsage, input.jsonInput(nextPageToken: nextPageToken), as: GetCostAndUsagePage.self)
    }

    /// The cost forecast of `input` (one request).
    public func getCostForecast(_ input: GetCostForecastInput) async throws -> GetCostForecastOutput {
        usage.recordCall("GetCostForecast")
        return try await call(.costExplorerGetCostForecast, input.jsonInput, as: GetCostForecastOutput.self)
    }

    /// What the requests so far cost ($0.01 each, ``AWSBilling``).
    public var estimatedCostUSD: Double {
        ["GetCostAndUsage", "GetCostForecast"].reduce(0) { $0 + usage.usage(of: $1).dollars(of: $1) }
    }

    private func call<Output: Decodable>(_ operation: AWSOperation, _ input: JSONValue, as type: Output.Type) async throws
        -> Output
    {
        try await client.decodedCall(
            operation, input: input, as: type, usage: usage, budget: .costExplorer, of: budgets, logger: logger)
    }
}
