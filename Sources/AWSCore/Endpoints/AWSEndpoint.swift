/// Where to send a service's requests and which region to sign them for.
public struct AWSEndpoint: Sendable, Hashable {
    /// `https` or `http` (overrides only).
    public var scheme: String = "https"
    /// `host` or `host:port`, as the Host header carries it.
    public var host: String
    /// A path an override puts before every request path (`/base`), or empty.
    public var pathPrefix: String = ""
    public var signingRegion: String

    /// `https://monitoring.eu-west-1.amazonaws.com`, `http://127.0.0.1:4566/base`.
    public var baseURL: String { "\(scheme)://\(host)\(pathPrefix)" }
}
