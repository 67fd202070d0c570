/// Reads an AWS error response of any of our wire protocols into an `AWSError`.
enum AWSErrorDecoder {
    static func decode(_ response: AWSHTTPResponse, service: AWSService, operation: String) -> AWSError {
        var code: String?
        var message: String?
        var requestID = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")

        switch service.wireProtocol {
        case .query:
            (code, message, requestID) = decodeXML(response.body, requestID: requestID)
        case .json, .restJSON:
            (code, message) = decodeJSON(response)
            if code == nil, response.body.first == UInt8(ascii: "<") {
                (code, message, requestID) = decodeXML(response.body, requestID: requestID)
            }
        }
        let status = response.status
        let fallbackMessage =
            message ?? (response.body.isEmpty ? "no error body" : "unreadable error body of \(response.body.count) bytes")
        let resolvedCode = code.flatMap(AWSErrorCode.reduced) ?? fallbackCode(status: status)
        return AWSError(
            kind: .service, service: service.cliName, operation: operation, code: resolvedCode,
            message: fallbackMessage, requestID: requestID, httpStatus: status,
            isRetryable: AWSRetryPolicy.isRetryable(code: resolvedCode, status: status))
    }

    /// Query protocol errors: `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`
    /// (and EC2's `<Response><Errors><Error>` form).
    private static func decodeXML(_ body: [UInt8], requestID: String?) -> (String?, String?, String?) {
        guard let document = try? XMLToJSON.convert(body) else { return (nil, nil, requestID) }
        let root = document["ErrorResponse"] ?? document["Response"] ?? document
        var error = root["Error"] ?? root["Errors"]?["Error"]
        if case .array(let errors) = error { error = errors.first }
        let bodyRequestID = root["RequestId"]?.stringValue ?? root["RequestID"]?.stringValue
        return (error?["Code"]?.stringValue, error?["Message"]?.stringValue, requestID ?? bodyRequestID)
    }

    /// JSON errors: the code from `x-amzn-query-error` (query-compatible services), then
    /// `x-amzn-ErrorType`, then the body's `__type` / `code`; the message from `message` / `Message`.
    private static func decodeJSON(_ response: AWSHTTPResponse) -> (String?, String?) {
        let body = (try? JSONValue(parsing: response.body)) ?? .null
        let message = body["message"]?.stringValue ?? body["Message"]?.stringValue ?? body["errorMessage"]?.stringValue
        if let queryError = response.header("x-amzn-query-error"), let code = queryError.split(separator: ";").first,
            !code.isEmpty
        {
            return (AWSErrorCode.reduced(code), message)
        }
        let raw =
            response.header("x-amzn-ErrorType") ?? body["__type"]?.stringValue ?? body["code"]?.stringValue
            ?? body["Code"]?.stringValue
        return (raw.flatMap(sanitize), message)
    }

    /// `aws.protocoltests#FooError:http://internal.amazon.com/...` → `FooError`.
    static func sanitize(_ raw: String) -> String? {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return AWSErrorCode.reduced(code.trimmingSpaces())
    }

    private static func fallbackCode(status: Int) -> String {
        switch status {
        case 429: return "TooManyRequestsException"
        case 500: return "InternalServerError"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "HTTP\(status)"
        }
    }
}
