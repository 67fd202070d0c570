import AWSCore
import Logging

extension AWSClient {
    /// One request of a JSON-protocol operation: lays out `input`, waits for a token of `api`'s
    /// rate budget, counts the request in `usage`, sends it (with retries) and decodes the response
    /// body as `Output`. Items of the page that did not decode are reported (logged and counted).
    func decodedCall<Output: Decodable>(
        _ operation: AWSOperation, input: JSONValue, as type: Output.Type, dates: AWSJSONDates = .epochSeconds,
        usage: AWSUsageCounter, budget api: AWSRateBudgetAPI, of budgets: AWSRateBudgets, logger: Logger
    ) async throws -> Output {
        let request = try AWSClient.operationRequest(operation, input: input)
        try await budgets.acquire(api, service: operation.service, operation: operation.name)
        let response = try await usage.measure(operation.name) { try await send(request) }
        let output = try AWSJSONDecoding.decode(
            type, from: response.body, dates: dates, service: operation.service, operation: operation.name)
        if let page = output as? any AWSPageSkippingItems {
            AWSSkippedItem.report(page.skipped, of: operation, response: response, usage: usage, logger: logger)
        }
        return output
    }
}

extension AWSSkippedItem {
    /// Logs each skipped item at warning level (the operation, the field and what was wrong, the
    /// item's id, the request id) and counts them in `usage`.
    static func report(
        _ items: [AWSSkippedItem], of operation: AWSOperation, response: AWSHTTPResponse, usage: AWSUsageCounter,
        logger: Logger
    ) {
        guard !items.isEmpty else { return }
        usage.recordSkipped(operation.name, count: items.count)
        let requestID = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        for item in items {
            var metadata: Logger.Metadata = [
                "aws.service": "\(operation.service.cliName)", "aws.operation": "\(operation.name)",
                "aws.item": "\(item.list)[\(item.index)]", "aws.item.problem": "\(item.reason)",
            ]
            if let id = item.id { metadata["aws.item.id"] = "\(id.prefix(200))" }
            if let requestID { metadata["aws.request.id"] = "\(requestID.prefix(100))" }
            logger.warning("Skipped an item of the AWS answer that does not decode", metadata: metadata)
        }
    }
}
