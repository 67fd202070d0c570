/// An operation's request as its wire protocol lays it out, before endpoint, signing and
/// transport: method, raw path, unencoded query pairs, headers and body.
public struct AWSOperationRequest: Sendable {
    public var service: AWSService
    public var operation: String
    public var method: String
    /// The raw, unencoded path (`/`, `/findings`).
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [AWSHTTPHeader]
    public var body: [UInt8]

    public init(
        service: AWSService, operation: String, method: String = "POST", path: String = "/",
        query: [(name: String, value: String)] = [], headers: [AWSHTTPHeader] = [], body: [UInt8] = []
    ) {
        self.service = service
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}
