import HTTPTypes

/// The browser origin check: no `Origin` header (not a browser) passes; an origin equal to the
/// request's own `Host` passes (the live page served by the gateway itself); otherwise the origin
/// must be in the allow list.
///
/// Same-origin alone proves nothing under DNS rebinding, where the attacker's name is the `Host`:
/// a token-less gateway on loopback is guarded by ``HostPolicy`` (checked first, 421), and a
/// gateway that requires tokens gives a rebinding page nothing, since the browser sends no
/// credential by itself (tokens travel in a header, the query or the Socket.IO auth payload).
struct OriginPolicy: Sendable {
    let allowed: GatewayConfiguration.AllowedOrigins

    func allows(origin: String?, host: String?) -> Bool {
        guard let origin, !origin.isEmpty else { return true }
        let normalized = origin.lowercased()
        switch allowed.backing {
        case .any:
            return true
        case .list(let list):
            if list.contains(normalized) { return true }
            guard let host = host?.lowercased(), let schemeEnd = normalized.range(of: "://") else { return false }
            return normalized[schemeEnd.upperBound...] == host
        }
    }

    /// The `Access-Control-Allow-Origin` value for an allowed browser request.
    func allowOriginHeader(for origin: String?) -> String? {
        guard let origin, !origin.isEmpty else { return nil }
        if case .any = allowed.backing { return "*" }
        return origin
    }

    /// The CORS headers of an answer to an allowed browser request from `origin`: who may read
    /// it, and (unless every origin may) that it may carry credentials. None without an origin.
    func corsHeaders(for origin: String?) -> HTTPFields {
        guard let allow = allowOriginHeader(for: origin) else { return [:] }
        var headers: HTTPFields = [.accessControlAllowOrigin: allow]
        if allow != "*" { headers[.accessControlAllowCredentials] = "true" }
        return headers
    }
}
