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

    /// Checks an override URL: `http` or `https`, a host (a name, an IPv4 address or an IPv6
    /// address in brackets), an optional port and an optional path of URL characters; no user
    /// information, no query, no fragment.
    ///
    /// Parsed on UTF-8 bytes, never on characters: a combining mark after `/` or `@` must not
    /// hide it. No message echoes the URL or any part of it, since a URL with user information
    /// holds a password, and a password with a `/` in it would otherwise end up as the "port".
    static func parseOverride(_ value: String, key: String) throws(AWSError) -> AWSEndpoint {
        let bytes = Array(value.utf8)
        let hasAt = bytes.contains(UInt8(ascii: "@"))
        func refuse(_ problem: String) -> AWSError {
            let hint = hasAt ? " (user information such as user:password@ is not allowed)" : ""
            return AWSError.configuration("the endpoint URL \(problem)\(hint)", key: key)
        }
        // scheme://
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8) else {
            throw refuse("must start with http:// or https://")
        }
        let scheme = String(decoding: bytes[..<colon].map(lowercased), as: UTF8.self)
        guard scheme == "http" || scheme == "https" else { throw refuse("must start with http:// or https://") }
        // authority: up to the first '/', '?' or '#'.
        let authorityStart = colon + 3
        let authorityEnd =
            bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        let authority = bytes[authorityStart..<authorityEnd]
        guard !authority.contains(UInt8(ascii: "@")) else {
            throw AWSError.configuration(
                "the endpoint URL must not contain user information (user:password@): give credentials through the AWS credential settings",
                key: key)
        }
        let path = bytes[authorityEnd...]
        guard !path.contains(UInt8(ascii: "?")), !path.contains(UInt8(ascii: "#")) else {
            throw refuse("must not have a query or a fragment")
        }
        guard let (host, port) = splitAuthority(authority) else {
            throw refuse(
                "must name a host: letters, digits, '-', '.', '_' (or an IPv6 address in brackets), then an optional :port")
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(isDigit),
                let number = Int(String(decoding: port, as: UTF8.self)), (1...65_535).contains(number)
            else { throw refuse("has a port that is not a number from 1 to 65535") }
        }
        guard isURLPath(path) else {
            throw refuse("has a path with characters a URL path cannot hold (percent-encode them)")
        }
        var hostText = String(decoding: host.map(lowercased), as: UTF8.self)
        if let port {
            let portText = String(decoding: port, as: UTF8.self)
            let isDefault = (scheme == "https" && Int(portText) == 443) || (scheme == "http" && Int(portText) == 80)
            if !isDefault { hostText += ":" + portText }
        }
        var trimmedPath = String(decoding: path, as: UTF8.self)
        while trimmedPath.hasSuffix("/") { trimmedPath.removeLast() }
        return AWSEndpoint(scheme: scheme, host: hostText, pathPrefix: trimmedPath, signingRegion: "")
    }

    /// `host[:port]` or `[ipv6][:port]`: the host and the port's digits (`nil` without a port);
    /// `nil` when the host is empty or has a byte a host name or address cannot hold.
    private static func splitAuthority(_ authority: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>?)? {
        let host: ArraySlice<UInt8>
        let rest: ArraySlice<UInt8>
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let address = authority[(authority.startIndex + 1)..<close]
            guard address.count >= 2,
                address.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
            host = authority[authority.startIndex...close]
            rest = authority[(close + 1)...]
        } else {
            let end = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
            host = authority[..<end]
            rest = authority[end...]
            let isNameByte = { (byte: UInt8) in
                isDigit(byte) || isLetter(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_")
            }
            guard !host.isEmpty, host.allSatisfy(isNameByte) else { return nil }
        }
        if rest.isEmpty { return (host, nil) }
        guard rest.first == UInt8(ascii: ":") else { return nil }
        return (host, rest.dropFirst())
    }

    /// RFC 3986 `path-abempty`: `/`-separated segments of unreserved characters, sub-delimiters,
    /// `:`, `@` and `%HH` escapes.
    private static func isURLPath(_ path: ArraySlice<UInt8>) -> Bool {
        guard path.isEmpty || path.first == UInt8(ascii: "/") else { return false }
        var index = path.startIndex
        while index < path.endIndex {
            let byte = path[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < path.endIndex, isHexDigit(path[index + 1]), isHexDigit(path[index + 2]) else { return false }
                index += 3
                continue
            }
            guard isDigit(byte) || isLetter(byte) || Self.pathPunctuation.contains(byte) else { return false }
            index += 1
        }
        return true
    }

    private static let pathPunctuation = Set("/-._~!$&'()*+,;=:@".utf8)

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }
    private static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6 }
    private static func lowercased(_ byte: UInt8) -> UInt8 { isLetter(byte) ? byte | 0x20 : byte }
}
