import Bus
import Hummingbird

/// Engine.IO long-polling at `/socket.io/` (GET pulls, POST pushes), behind ``CORSMiddleware``.
/// The router matches `/socket.io/` (what clients request) and `/socket.io` alike. Methods other
/// than GET, POST and OPTIONS reach the endpoint too, which refuses them as the reference server
/// does (a handshake: 400 "Bad handshake method"). The WebSocket transport is an upgrade, decided
/// before any route.
struct SocketIORoutes<Source: SubscriberBus>: Sendable {
    let engine: EngineIOServer<Source>
    let origins: OriginPolicy
    let maxPayload: Int

    var collection: RouteCollection<GatewayRequestContext> {
        let routes = RouteCollection(context: GatewayRequestContext.self).add(middleware: CORSMiddleware(origins: origins))
        let (engine, maxPayload) = (engine, maxPayload)
        let handler: @Sendable (Request, GatewayRequestContext) async throws -> Response = { request, context in
            let reply = await engine.handlePolling(
                method: request.method, query: request.uri.query, origin: request.headers[.origin],
                host: request.head.authority, authorization: request.headers[.authorization],
                address: ClientAddress(context.remoteAddress), body: { try await request.body.collect(upTo: maxPayload) })
            let contentType =
                reply.isError ? "application/json" : (request.method == .post ? "text/html" : "text/plain; charset=UTF-8")
            return Response(
                status: .init(code: reply.status), headers: [.contentType: contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: reply.body))
        }
        for method in [HTTPRequest.Method.get, .post, .options, .put, .delete, .patch] {
            routes.on("/socket.io", method: method, use: handler)
        }
        return routes
    }
}
