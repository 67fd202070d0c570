/// Resolves service endpoints as AWS SDKs do: `AWS_ENDPOINT_URL_<SERVICE_ID>` wins, then
/// `AWS_ENDPOINT_URL`, then the standard `https://{prefix}.{region}.{suffix}` (the partition's
/// global endpoint for Cost Explorer and AWS Health). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
/// turns the overrides off.
public struct AWSEndpointResolver: Sendable {
    private let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func endpoint(for service: AWSService, region: String) throws(AWSError) -> AWSEndpoint {
        let signingRegion = service.isGlobal ? AWSRegion.globalRegion(for: region) : region
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for key in [service.endpointEnvironmentVariable, "AWS_ENDPOINT_URL"] {
                guard let value = environment[key], !value.isEmpty else { continue }
                var endpoint = try Self.parseOverride(value, key: key)
                endpoint.signingRegion = signingRegion
                return endpoint
            }
        }
        let host = "\(service.endpointPrefix).\(signingRegion).\(AWSRegion.dnsSuffix(of: signingRegion))"
        return AWSEndpoint(host: host, signingRegion: signingRegion)
    }

    /// Checks an override URL: `http` or `https`, a host, an optional port and path; no query,
    /// no user information.
    static func parseOverride(_ value: String, key: String) throws(AWSError) -> AWSEndpoint {
        guard !value.contains("@") else {
            // Never echo a URL with user information: it may hold a password.
            throw AWSError.configuration("the endpoint URL must not contain user information", key: key)
        }
        let schemes = ["https://", "http://"]
        guard let scheme = schemes.first(where: { value.lowercased().hasPrefix($0) }) else {
            throw AWSError.configuration("'\(value)' is not an http:// or https:// URL", key: key)
        }
        let rest = value.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.isEmpty, !authority.contains("@"), !value.contains("?"), !value.contains("#"),
            !authority.contains(where: { $0 == " " })
        else {
            throw AWSError.configuration(
                "'\(value)' must be scheme://host[:port][/path] with no user, query or fragment", key: key)
        }
        var host = authority.lowercased()
        let defaultPort = scheme == "https://" ? ":443" : ":80"
        if host.hasSuffix(defaultPort) { host.removeLast(defaultPort.count) }
        var trimmedPath = String(path)
        while trimmedPath.hasSuffix("/") { trimmedPath.removeLast() }
        return AWSEndpoint(scheme: String(scheme.dropLast(3)), host: host, pathPrefix: trimmedPath, signingRegion: "")
    }
}
