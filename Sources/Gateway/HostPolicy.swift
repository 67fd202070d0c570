import NIOCore

/// The `Host` check, against DNS rebinding: a web page on `attacker.example` whose name the
/// attacker then points at 127.0.0.1 makes the victim's browser send its requests (same-origin,
/// so the Origin check passes) to a gateway on the victim's loopback, with
/// `Host: attacker.example`. A gateway that serves without a token on a loopback address is
/// exactly what such a page wants, so it answers only requests whose `Host` names it: `localhost`,
/// a loopback literal (`127.x.y.z`, `[::1]`), its configured address, or a name listed in
/// `GATEWAY_ALLOWED_HOSTS`; anything else gets 421 Misdirected Request. With
/// `GATEWAY_ALLOWED_HOSTS` set, any gateway checks the same way.
///
/// Ports are not compared (a rebinding page can use the gateway's port), and `/health`, `/ready`
/// and `/metrics` (no stream data; probed by address) are not checked.
struct HostPolicy: Sendable {
    private enum Rule: Sendable {
        case any
        /// Loopback literals, `localhost` and these names.
        case names(Set<String>, isLoopbackAnonymous: Bool)
    }

    private let rule: Rule

    init(configuration: GatewayConfiguration) {
        let isLoopbackAnonymous =
            configuration.auth.mode.isAnonymous && GatewayConfiguration.isLoopback(address: configuration.host)
        var names: Set<String>
        switch configuration.allowedHosts.backing {
        case .any:
            guard isLoopbackAnonymous else {
                rule = .any
                return
            }
            names = []
        case .list(let list):
            names = list
        }
        if let configured = Self.hostName(configuration.host), !["0.0.0.0", "::"].contains(configured) {
            names.insert(configured)
        }
        rule = .names(names, isLoopbackAnonymous: isLoopbackAnonymous)
    }

    var isChecking: Bool {
        if case .any = rule { return false }
        return true
    }

    /// Paths answered whatever the `Host`.
    static func isExempt(path: String) -> Bool { ["/health", "/ready", "/metrics"].contains(path) }

    /// Why a request with this `Host` (`authority`) is not served (the 421 body); nil: it is.
    func refusal(authority: String?) -> String? {
        guard case .names(let names, let isLoopbackAnonymous) = rule else { return nil }
        if let authority, let name = Self.hostName(authority) {
            if name == "localhost" || GatewayConfiguration.isLoopback(address: name) || names.contains(name) { return nil }
        }
        let shown = (authority ?? "").prefix(100)
        if isLoopbackAnonymous {
            return "Misdirected Request: Host '\(shown)' is not this gateway. It serves without a token on a loopback "
                + "address, so it answers only Host localhost, 127.x.y.z or [::1] (DNS rebinding protection); list other "
                + "names in GATEWAY_ALLOWED_HOSTS"
        }
        return "Misdirected Request: Host '\(shown)' is not in GATEWAY_ALLOWED_HOSTS"
    }

    /// The host of a `Host` header value (`name`, `name:port`, `[v6]`, `[v6]:port`), lowercased,
    /// without a trailing dot; IPv6 literals without brackets. nil when it is not one.
    static func hostName(_ authority: String) -> String? {
        var text = Substring(authority.lowercased())
        let host: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            text = text[text.index(after: close)...]
        } else if text.filter({ $0 == ":" }).count > 1 {
            // A bare IPv6 address (a bind address such as "::1"; never a valid Host header).
            host = text
            text = ""
        } else {
            let colon = text.firstIndex(of: ":") ?? text.endIndex
            host = text[..<colon]
            text = text[colon...]
        }
        if !text.isEmpty {
            guard text.first == ":", text.dropFirst().allSatisfy(\.isASCIIDigit) else { return nil }
        }
        let name = host.hasSuffix(".") ? host.dropLast() : host
        guard !name.isEmpty else { return nil }
        return String(name)
    }
}

extension GatewayConfiguration {
    /// Whether `address` (a bind address or a `Host` name) is loopback, decided on the parsed
    /// address: an IPv4 literal in 127.0.0.0/8, `::1` (bracketed or not), an IPv4-mapped
    /// 127.x.y.z, or the name `localhost`. A name that merely starts with "127." is not.
    public static func isLoopback(address: String) -> Bool {
        var text = Substring(address.lowercased())
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text == "localhost" || text == "localhost." { return true }
        guard let parsed = try? SocketAddress(ipAddress: String(text), port: 0) else { return false }
        switch parsed {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return withUnsafeBytes(of: &raw) { $0[0] == 127 }
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return true }
            return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
        case .unixDomainSocket:
            return false
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
