/// The AWS JSON 1.0 / 1.1 protocol: POST `/` with `X-Amz-Target: <prefix>.<Operation>` and the
/// input as the JSON body.
public enum JSONProtocol {
    public static func request(
        service: AWSService, version: String, targetPrefix: String, operation: String, input: JSONValue
    ) throws(AWSError) -> AWSOperationRequest {
        let body: JSONValue
        switch input {
        case .null: body = .object([:])
        case .object: body = input
        default: throw AWSError.invalidInput("the input of \(operation) must be a JSON object")
        }
        return AWSOperationRequest(
            service: service, operation: operation,
            headers: [
                AWSHTTPHeader("Content-Type", "application/x-amz-json-\(version)"),
                AWSHTTPHeader("X-Amz-Target", "\(targetPrefix).\(operation)"),
            ],
            body: body.encoded())
    }

    /// The response body as JSON (an empty body is an empty object).
    public static func decodeResponse(body: [UInt8]) throws(AWSError) -> JSONValue {
        guard !body.isEmpty else { return .object([:]) }
        do {
            return try JSONValue(parsing: body)
        } catch {
            throw AWSError.malformedResponse("the response body is not JSON (\(body.count) bytes)")
        }
    }
}
