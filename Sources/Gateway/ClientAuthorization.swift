import HTTPTypes

/// What every client endpoint checks before it serves anything: the browser origin
/// (``OriginPolicy``), then the token (``GatewayAuthenticator``). `/ws` asks at its upgrade,
/// `/events` through ``ClientAuthorizationMiddleware``; Engine.IO checks the origin at its
/// handshake and the token at the namespace CONNECT. Each refusal is counted in the metrics.
struct ClientAuthorization: Sendable {
    /// Why a client was refused: the HTTP status and the reason its body (or close frame) says.
    struct Refusal: Error, Equatable, Sendable {
        var status: HTTPResponse.Status
        var reason: String
    }

    let origins: OriginPolicy
    let authenticator: GatewayAuthenticator
    let metrics: GatewayMetrics

    /// The grant of a request from `origin` to `host` carrying `authorization` (a bearer token)
    /// or `?token=` in `query`: 403 for an origin not allowed, 401 for a missing or bad token.
    func check(origin: String?, host: String?, authorization: String?, query: String?) async -> Result<
        GatewayGrant, Refusal
    > {
        guard origins.allows(origin: origin, host: host) else {
            GatewayMetrics.add(metrics.originRefusals)
            return .failure(Refusal(status: .forbidden, reason: "origin not allowed"))
        }
        switch await authenticator.authenticate(token: GatewayAuthenticator.token(authorization: authorization, query: query)) {
        case .success(let grant):
            return .success(grant)
        case .failure(let failure):
            GatewayMetrics.add(metrics.authFailures)
            return .failure(Refusal(status: .unauthorized, reason: failure.reason))
        }
    }
}
