/// How ``CurlTransport`` connects, waits and bounds its resources. Every field has a default that
/// serves a first run.
///
/// Proxies: the transport never sets `CURLOPT_PROXY`, so libcurl honours the usual environment
/// variables itself (`http_proxy`, `https_proxy` / `HTTPS_PROXY`, `all_proxy` / `ALL_PROXY`,
/// `no_proxy` / `NO_PROXY`; libcurl ignores upper-case `HTTP_PROXY` on purpose).
public struct CurlTransportConfiguration: Sendable {
    /// Time allowed to open the TCP connection and finish the TLS handshake.
    public var connectTimeout: Duration
    /// Time allowed for a whole exchange, waiting for a free connection included. A request can
    /// override it with ``AWSHTTPRequest/timeout``.
    public var totalTimeout: Duration
    /// Largest response body accepted, counted after decompression. A larger one fails with
    /// ``TransportError/Code-swift.struct/responseTooLarge``.
    public var maxResponseBytes: Int
    /// Most connections open at once, all hosts together (`CURLMOPT_MAX_TOTAL_CONNECTIONS`); also the
    /// size of the keep-alive cache and of the pool of idle easy handles.
    public var maxConnections: Int
    /// Most connections open at once to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`).
    public var maxConnectionsPerHost: Int
    /// Most requests accepted and not yet finished (running or waiting for a connection). One more
    /// fails at once with ``TransportError/Code-swift.struct/queueFull``.
    public var maxPendingRequests: Int
    /// A PEM bundle of trusted CAs instead of the system store. Verification itself is always on.
    public var caFile: String?
    /// `User-Agent` sent when the request carries none; `nil` sends no `User-Agent`.
    public var userAgent: String?

    public init(
        connectTimeout: Duration = .seconds(5),
        totalTimeout: Duration = .seconds(30),
        maxResponseBytes: Int = 32 * 1024 * 1024,
        maxConnections: Int = 32,
        maxConnectionsPerHost: Int = 8,
        maxPendingRequests: Int = 1024,
        caFile: String? = nil,
        userAgent: String? = "aws-realtime"
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxConnections = maxConnections
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxPendingRequests = maxPendingRequests
        self.caFile = caFile
        self.userAgent = userAgent
    }
}
