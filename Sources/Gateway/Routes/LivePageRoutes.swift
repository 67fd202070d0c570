import Hummingbird

/// `/`, the live page (when `GATEWAY_LIVE_PAGE` is on), and a plain GET of `/ws`, which is a
/// WebSocket endpoint only: 426 Upgrade Required.
struct LivePageRoutes: Sendable {
    let isLivePageEnabled: Bool
    let requiresToken: Bool

    var collection: RouteCollection<GatewayRequestContext> {
        let routes = RouteCollection(context: GatewayRequestContext.self)
        let requiresToken = requiresToken
        if isLivePageEnabled {
            routes.get("/") { request, _ in LivePage.response(to: request, requiresToken: requiresToken) }
        }
        routes.get("/ws") { _, _ in
            var response = Response.plainText(.upgradeRequired, "WebSocket only")
            response.headers[.upgrade] = "websocket"
            return response
        }
        return routes
    }
}
