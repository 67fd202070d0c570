extension AWSClient {
    /// Lays out `input` for one of the project's operations by its service's wire protocol.
    public static func operationRequest(_ operation: AWSOperation, input: JSONValue) throws(AWSError) -> AWSOperationRequest {
        try operationRequest(service: operation.service, operation: operation.name, input: input)
    }

    /// Calls one of the project's operations with a JSON input and returns the decoded response as JSON.
    public func call(_ operation: AWSOperation, input: JSONValue, signing: Signing = .sigV4) async throws -> JSONValue {
        try await call(operation.service, operation: operation.name, input: input, signing: signing)
    }
}
