/// Where to send a service's requests and which region to sign them for.
public struct AWSEndpoint: Sendable, Hashable {
    /// `https` or `http` (overrides only).
    public var scheme: String
    /// `host` or `host:port`, as the Host header carries it.
    public var host: String
    /// A path an override puts before every request path (`/base`), or empty.
    public var pathPrefix: String
    public var signingRegion: String

    public init(scheme: String = "https", host: String, pathPrefix: String = "", signingRegion: String) {
        self.scheme = scheme
        self.host = host
        self.pathPrefix = pathPrefix
        self.signingRegion = signingRegion
    }

    /// `https://monitoring.eu-west-1.amazonaws.com`, `http://127.0.0.1:4566/base`.
    public var baseURL: String { "\(scheme)://\(host)\(pathPrefix)" }
}
