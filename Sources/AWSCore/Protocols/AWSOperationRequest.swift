/// An operation's request as its wire protocol lays it out, before endpoint, signing and
/// transport: method, raw path, unencoded query pairs, headers and body.
public struct AWSOperationRequest: Sendable {
    public var service: AWSService
    public var operation: String
    public var method: String = "POST"
    /// The raw, unencoded path (`/`, `/findings`).
    public var path: String = "/"
    public var query: [(name: String, value: String)] = []
    public var headers: [AWSHTTPHeader] = []
    public var body: [UInt8] = []
}
