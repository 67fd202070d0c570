import Bus
import Hummingbird
import NIOCore

/// `/health` (the process answers), `/ready` (subscribed in the bus, and what the rest of the
/// process adds) and `/metrics` (Prometheus text). No token, no origin check: load balancers and
/// scrapers call them, and they say nothing about the data.
struct OperationsRoutes<Source: SubscriberBus>: Sendable {
    let hub: GatewayHub<Source>
    let metrics: GatewayMetrics
    let extras: GatewayOperationsExtras

    var collection: RouteCollection<GatewayRequestContext> {
        let routes = RouteCollection(context: GatewayRequestContext.self)
        let (hub, metrics, extras) = (hub, metrics, extras)
        routes.get("/health") { _, _ in Response.plainText(.ok, "ok") }
        routes.get("/ready") { _, _ in
            var problems = hub.isReady ? [] : ["the gateway is not subscribed in the bus"]
            problems += await extras.readinessProblems()
            return problems.isEmpty
                ? Response.plainText(.ok, "ready")
                : Response.plainText(.serviceUnavailable, "not ready: " + problems.joined(separator: "; "))
        }
        routes.get("/metrics") { _, _ in
            let text =
                metrics.render(
                    subscriptions: hub.subscriptionCounts(), busSubscribed: hub.busSubscribedStreams(),
                    isBusConnected: hub.bus.isConnected, pendingHandshakes: hub.pendingHandshakeCount,
                    busDrops: hub.bus.droppedMessages) + extras.metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return routes
    }
}
