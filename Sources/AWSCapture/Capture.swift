import AWSCore
/// One recorded HTTP exchange with AWS: the request as sent and the response as received.
///
/// Stored as one human-readable JSON file per exchange (see `README-captures.md`).
/// A capture whose exchange failed below HTTP has no response and a `transportError` instead.
public struct Capture: Sendable, Hashable {
    /// The file name the capture was loaded from or will be written to (`0001-monitoring-ListMetrics.json`).
    public var name: String
    /// Free text for people: where the capture came from, what it shows.
    public var note: String?
    public var request: CapturedRequest
    public var response: CapturedResponse?
    /// What the transport threw when the exchange failed below HTTP (connect, reset, timeout).
    public var transportError: String?

    public init(
        name: String,
        note: String? = nil,
        request: CapturedRequest,
        response: CapturedResponse?,
        transportError: String? = nil
    ) {
        self.name = name
        self.note = note
        self.request = request
        self.response = response
        self.transportError = transportError
    }
}

/// The request half of a capture: what went on the wire, URL split into host, path and query.
public struct CapturedRequest: Sendable, Hashable {
    public var method: String
    /// The host the request went to (`monitoring.eu-west-1.amazonaws.com`); informative, never matched.
    public var host: String?
    /// The path exactly as sent, percent-encoding included (`/`, `/findings`).
    public var path: String
    /// The query exactly as sent, without `?` (empty when there was none).
    public var query: String
    public var headers: [AWSHTTPHeader]
    public var body: [UInt8]

    public init(
        method: String,
        host: String? = nil,
        path: String,
        query: String = "",
        headers: [AWSHTTPHeader] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first header of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.value(named: name)
    }
}

/// The response half of a capture: the response as the transport received it.
public typealias CapturedResponse = AWSHTTPResponse

extension CapturedRequest {
    /// Splits an absolute URL (`https://host/path?query`) the way the transport sent it.
    public init(_ request: AWSHTTPRequest) {
        let parts = CapturedRequest.splitURL(request.url)
        self.init(
            method: request.method,
            host: parts.host,
            path: parts.path,
            query: parts.query,
            headers: request.headers,
            body: request.body
        )
    }

    /// `https://host:443/a/b?x=1#f` -> (`host:443`, `/a/b`, `x=1`). A URL without a scheme is taken as a path.
    public static func splitURL(_ url: String) -> (host: String?, path: String, query: String) {
        var rest = Substring(url)
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        var host: String?
        if let scheme = rest.range(of: "://") {
            let afterScheme = rest[scheme.upperBound...]
            let hostEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
            host = String(afterScheme[..<hostEnd])
            rest = afterScheme[hostEnd...]
        }
        var path = rest
        var query = Substring("")
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        }
        return (host, path.isEmpty ? "/" : String(path), String(query))
    }
}
