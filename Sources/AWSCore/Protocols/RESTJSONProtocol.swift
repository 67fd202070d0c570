/// The AWS REST-JSON protocol, for the operations whose HTTP binding we know: the input is the
/// JSON body (our operations bind nothing to the path, query or headers).
public enum RESTJSONProtocol {
    public static func request(
        service: AWSService, operations: [String: AWSRESTBinding], operation: String, input: JSONValue
    ) throws(AWSError) -> AWSOperationRequest {
        guard let binding = operations[operation] else {
            let known = operations.keys.sorted().joined(separator: ", ")
            throw AWSError.invalidInput("\(service.cliName) \(operation) has no known HTTP binding; known operations: \(known)")
        }
        var request = AWSOperationRequest(service: service, operation: operation, method: binding.method, path: binding.path)
        switch input {
        case .null where binding.method == "GET", .object([:]) where binding.method == "GET":
            break
        case .object:
            guard binding.method != "GET" else {
                throw AWSError.invalidInput("\(service.cliName) \(operation) takes no input")
            }
            request.headers = [AWSHTTPHeader("Content-Type", "application/json")]
            request.body = input.encoded()
        case .null:
            request.headers = [AWSHTTPHeader("Content-Type", "application/json")]
            request.body = Array("{}".utf8)
        default:
            throw AWSError.invalidInput("the input of \(operation) must be a JSON object")
        }
        return request
    }
}
