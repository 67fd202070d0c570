/// An HTTP response as the transport received it (body already decompressed).
public struct AWSHTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [AWSHTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [AWSHTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.value(named: name)
    }
}
