import Hummingbird

/// Runs ``ClientAuthorization`` before a client route: a refused request gets its status and
/// reason as plain text; an admitted one reaches the route with its grant in the context
/// (``GatewayRequestContext/grant``), and its answer carries the CORS headers its origin needs.
struct ClientAuthorizationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let authorization: ClientAuthorization

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let origin = request.headers[.origin]
        let checked = await authorization.check(
            origin: origin, host: request.head.authority, authorization: request.headers[.authorization],
            query: request.uri.query)
        switch checked {
        case .failure(let refusal):
            return .plainText(refusal.status, refusal.reason)
        case .success(let grant):
            var context = context
            context.grant = grant
            var response = try await next(request, context)
            response.headers.append(contentsOf: authorization.origins.corsHeaders(for: origin))
            return response
        }
    }
}
