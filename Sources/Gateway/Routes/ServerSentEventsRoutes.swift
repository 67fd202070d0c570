import Bus
import Hummingbird
import Logging

/// `/events`: Server-Sent Events behind ``ClientAuthorizationMiddleware``; the request is read
/// by ``ServerSentEventsRequest`` and served by a ``ServerSentEventsSession`` until the client
/// leaves, its token expires or the gateway drains.
struct ServerSentEventsRoutes<Source: SubscriberBus>: Sendable {
    let hub: GatewayHub<Source>
    let authorization: ClientAuthorization
    let maxSubscriptions: Int
    let logger: Logger

    var collection: RouteCollection<GatewayRequestContext> {
        let routes = RouteCollection(context: GatewayRequestContext.self)
            .add(middleware: ClientAuthorizationMiddleware(authorization: authorization))
        let (hub, authenticator, metrics, maxSubscriptions, logger) = (
            hub, authorization.authenticator, authorization.metrics, maxSubscriptions, logger
        )
        routes.get("/events") { request, context -> Response in
            guard let grant = context.grant else { return .plainText(.unauthorized, "no grant") }
            let parsed = ServerSentEventsRequest.parse(
                query: request.uri.query,
                lastEventID: request.headers.first { $0.name.canonicalName == "last-event-id" }?.value, grant: grant,
                maxSubscriptions: maxSubscriptions)
            let events: ServerSentEventsRequest
            switch parsed {
            case .success(let value):
                events = value
            case .failure(let refusal):
                return .plainText(refusal.status, refusal.reason)
            }
            guard hub.hasCapacity else {
                GatewayMetrics.add(metrics.connectionLimitRefusals)
                return .plainText(.serviceUnavailable, "connection limit reached; try again later")
            }
            let session = ServerSentEventsSession(
                hub: hub, grant: grant, streams: events.streams, targets: events.targets, resumePoint: events.resumePoint,
                tokenLifetime: authenticator.remaining(grant), channel: context.channel, logger: logger)
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await session.run(writer: &writer)
                    try await writer.finish(nil)
                })
        }
        return routes
    }
}
