/// One header line of a request to sign. Order and repetition are kept: repeated headers are
/// joined with commas, in order, in the canonical request.
public struct SigV4Header: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, unencoded (`name: "Action", value: "GetMetricData"`).
public struct SigV4QueryItem: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What the `x-amz-content-sha256` / canonical-request payload line says about the body.
public struct SigV4Payload: Sendable, Hashable {
    enum Storage: Sendable, Hashable {
        case bytes([UInt8])
        case precomputedHash(String)
        case unsigned
    }

    let storage: Storage

    /// The body itself: the signer hashes it (hex SHA-256).
    public static func bytes(_ body: [UInt8]) -> SigV4Payload { SigV4Payload(storage: .bytes(body)) }
    /// A body whose hex SHA-256 the caller already knows (lower-case hex, 64 characters).
    public static func precomputedHash(_ hexSHA256: String) -> SigV4Payload {
        SigV4Payload(storage: .precomputedHash(hexSHA256))
    }
    /// `UNSIGNED-PAYLOAD` (S3 and presigned URLs).
    public static var unsigned: SigV4Payload { SigV4Payload(storage: .unsigned) }
    /// An empty body.
    public static var empty: SigV4Payload { SigV4Payload(storage: .bytes([])) }
}

/// A request to sign: the parts of an HTTP request that SigV4 covers.
///
/// The path is kept in its encoded (wire) form, the form that goes into the URL. Build it from a
/// raw path with ``init(method:path:query:headers:payload:)`` (each segment is percent-encoded
/// once, RFC 3986 unreserved characters kept) or pass a path exactly as it appears in a URL with
/// ``init(method:encodedPath:query:headers:payload:)``.
///
/// Every header given here is signed: pass `Host` (and `Content-Type` when there is a body), and
/// leave out headers a proxy or the HTTP client may rewrite. `Authorization`, `X-Amz-Date`, and
/// the headers the signer adds itself are replaced, not duplicated.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path as it appears in the URL (percent-encoded), e.g. `/` or `/findings`.
    public var encodedPath: String
    /// Unencoded query parameters; the signer encodes and sorts them.
    public var query: [SigV4QueryItem]
    public var headers: [SigV4Header]
    public var payload: SigV4Payload

    /// - Parameter path: the raw, unencoded path (`/my key/ሴ`); it is percent-encoded once.
    public init(
        method: String,
        path: String,
        query: [SigV4QueryItem] = [],
        headers: [SigV4Header] = [],
        payload: SigV4Payload = .empty
    ) {
        self.init(
            method: method,
            encodedPath: SigV4URIEncoding.encodePath(path),
            query: query,
            headers: headers,
            payload: payload
        )
    }

    /// - Parameter encodedPath: the path exactly as in the URL (`/my%20key`).
    public init(
        method: String,
        encodedPath: String,
        query: [SigV4QueryItem] = [],
        headers: [SigV4Header] = [],
        payload: SigV4Payload = .empty
    ) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payload = payload
    }

    /// The canonical (sorted, percent-encoded) query string of ``query``. Use it in the URL so the
    /// URL and the signature always agree.
    public var encodedQuery: String {
        String(decoding: SigV4URIEncoding.canonicalQuery(query), as: UTF8.self)
    }
}
