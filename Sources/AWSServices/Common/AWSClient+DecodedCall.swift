import AWSCore

extension AWSClient {
    /// One request of a JSON-protocol operation: lays out `input`, waits for a token of `api`'s
    /// rate budget, counts the request in `usage`, sends it (with retries) and decodes the response
    /// body as `Output`.
    func decodedCall<Output: Decodable>(
        _ operation: AWSOperation, input: JSONValue, as type: Output.Type, dates: AWSJSONDates = .epochSeconds,
        usage: AWSUsageCounter, budget api: AWSRateBudgetAPI, of budgets: AWSRateBudgets
    ) async throws -> Output {
        let request = try AWSClient.operationRequest(operation, input: input)
        try await budgets.acquire(api, service: operation.service, operation: operation.name)
        let response = try await usage.measure(operation.name) { try await send(request) }
        return try AWSJSONDecoding.decode(
            type, from: response.body, dates: dates, service: operation.service, operation: operation.name)
    }
}
