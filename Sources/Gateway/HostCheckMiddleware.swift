import Hummingbird

/// Answers 421 Misdirected Request to a request whose `Host` the ``HostPolicy`` refuses, before
/// any route runs (`/health`, `/ready` and `/metrics` excepted).
struct HostCheckMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let policy: HostPolicy
    let metrics: GatewayMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard !HostPolicy.isExempt(path: request.uri.path), let reason = policy.refusal(authority: request.head.authority)
        else {
            return try await next(request, context)
        }
        GatewayMetrics.add(metrics.hostRefusals)
        return .plainText(.misdirectedRequest, reason, contentType: "text/plain; charset=utf-8")
    }
}
