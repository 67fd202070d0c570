import SigV4

/// One header line. Order and repetition are preserved, as they are on the wire; the line the
/// signer signs is the line the transport sends.
public typealias AWSHTTPHeader = SigV4Header

extension [AWSHTTPHeader] {
    /// The value of the first header named `name`, compared case-insensitively.
    public func value(named name: String) -> String? {
        let lowered = name.lowercased()
        return first { $0.name.lowercased() == lowered }?.value
    }
}

/// An HTTP request as the transport sends it: already signed, URL already encoded.
public struct AWSHTTPRequest: Sendable {
    public var method: String
    /// The absolute URL, with an encoded query if any (`https://monitoring.eu-west-1.amazonaws.com/?Action=...`).
    public var url: String
    public var headers: [AWSHTTPHeader]
    public var body: [UInt8]
    /// Overrides the transport's total timeout for this request; `nil` keeps the transport's.
    public var timeout: Duration?

    public init(
        method: String,
        url: String,
        headers: [AWSHTTPHeader] = [],
        body: [UInt8] = [],
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
