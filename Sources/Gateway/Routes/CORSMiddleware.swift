import Hummingbird

/// The CORS answers of Engine.IO long-polling, which a browser on another allowed origin needs:
/// the allow headers on every answer to an allowed origin, and the preflight (`OPTIONS`) answered
/// here. An origin that is not allowed gets no CORS header (the browser then hides the answer);
/// the Engine.IO handshake refuses it itself.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let origins: OriginPolicy

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let origin = request.headers[.origin]
        let cors = origins.allows(origin: origin, host: request.head.authority) ? origins.corsHeaders(for: origin) : [:]
        if request.method == .options {
            var headers = cors
            headers[.accessControlAllowMethods] = "GET, POST"
            headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "content-type"
            headers[.accessControlMaxAge] = "86400"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: cors)
        return response
    }
}
