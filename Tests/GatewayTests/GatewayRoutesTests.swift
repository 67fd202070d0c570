import Bus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import Gateway

/// The HTTP routes in process, through HummingbirdTesting's router framework (no socket): the
/// client checks as middleware in front of `/events`, what `/events` refuses and why, Engine.IO's
/// CORS preflight, and the operations endpoints. The streams themselves are tested end to end
/// (ServerSentEventsTests, SocketIOTests).
@Suite struct GatewayRoutesTests {
    static let allowedOrigin = "https://app.example"

    struct Routes {
        let application: Application<RouterResponder<GatewayRequestContext>>
        let metrics: GatewayMetrics
    }

    static func routes() async throws -> Routes {
        var configuration = GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))))
        configuration.allowedOrigins = .list([allowedOrigin])
        let metrics = GatewayMetrics()
        let logger = Logger(label: "aws-realtime.tests.routes")
        let hub = GatewayHub(bus: InProcessBus().makeSubscriber(), configuration: configuration, metrics: metrics, logger: logger)
        let authenticator = try await GatewayAuthenticator(auth: configuration.auth, now: { Date() })
        let origins = OriginPolicy(allowed: configuration.allowedOrigins)
        let authorization = ClientAuthorization(origins: origins, authenticator: authenticator, metrics: metrics)
        let router = Router(context: GatewayRequestContext.self)
        router.addRoutes(OperationsRoutes(hub: hub, metrics: metrics, extras: .none).collection)
        router.addRoutes(
            ServerSentEventsRoutes(hub: hub, authorization: authorization, maxSubscriptions: 2, logger: logger).collection)
        router.addRoutes(
            SocketIORoutes(
                engine: EngineIOServer(hub: hub, authenticator: authenticator, origins: origins, now: { Date() }, logger: logger),
                origins: origins, maxPayload: 1 << 16
            ).collection)
        return Routes(application: Application(router: router), metrics: metrics)
    }

    static func get(
        _ routes: Routes, _ uri: String, headers: HTTPFields = [:], method: HTTPRequest.Method = .get
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        try await routes.application.test(.router) { client in
            try await client.execute(uri: uri, method: method, headers: headers) { response in
                (response.status, response.headers, String(buffer: response.body))
            }
        }
    }

    @Test func eventsRefusesAnOriginNotAllowedBeforeLookingAtTheToken() async throws {
        let routes = try await Self.routes()
        let refused = try await Self.get(routes, "/events?streams=aws-metrics", headers: [.origin: "https://evil.example"])
        #expect(refused.status == .forbidden && refused.body == "origin not allowed\n")
        #expect(routes.metrics.originRefusals.load(ordering: .relaxed) == 1)
        #expect(routes.metrics.authFailures.load(ordering: .relaxed) == 0)
        #expect(refused.headers[.accessControlAllowOrigin] == nil)
    }

    @Test func eventsWithoutAValidTokenIsUnauthorized() async throws {
        let routes = try await Self.routes()
        let missing = try await Self.get(routes, "/events?streams=aws-metrics")
        #expect(missing.status == .unauthorized)
        let forged = try await Self.get(routes, "/events?streams=aws-metrics&token=abc.def.ghi")
        #expect(forged.status == .unauthorized)
        #expect(routes.metrics.authFailures.load(ordering: .relaxed) == 2)
    }

    /// Past the middleware, each refusal names the parameter; an allowed browser origin can read it.
    @Test func eventsNamesWhatItRefuses() async throws {
        let routes = try await Self.routes()
        let metricsOnly = try await hs256Token(streams: ["aws-metrics"], accounts: ["111111111111"])
        let cases: [(String, HTTPResponse.Status, String)] = [
            ("", .badRequest, "name the streams"),
            ("streams=aws-nothing", .badRequest, "aws-nothing"),
            ("streams=aws-costs", .forbidden, "aws-costs"),
            ("streams=aws-metrics&accounts=222222222222", .forbidden, "account 222222222222"),
            ("streams=aws-metrics&regions=EU", .badRequest, "regions"),
            ("streams=aws-metrics&since=yesterday", .badRequest, "yesterday"),
        ]
        for (query, status, mention) in cases {
            let answer = try await Self.get(
                routes, "/events?\(query)&token=\(metricsOnly)", headers: [.origin: Self.allowedOrigin])
            #expect(answer.status == status, "\(query): \(answer.body)")
            #expect(answer.body.contains(mention), "\(query): \(answer.body)")
            #expect(answer.headers[.accessControlAllowOrigin] == Self.allowedOrigin)
            #expect(answer.headers[.accessControlAllowCredentials] == "true")
        }
        let everything = try await hs256Token(streams: ["*"])
        let tooMany = try await Self.get(routes, "/events?streams=aws-metrics,aws-costs,aws-logs&token=\(everything)")
        #expect(tooMany.status == .badRequest)
    }

    @Test func engineIOPreflightIsAnsweredForAnAllowedOriginOnly() async throws {
        let routes = try await Self.routes()
        let allowed = try await Self.get(
            routes, "/socket.io/?EIO=4&transport=polling",
            headers: [.origin: Self.allowedOrigin, .accessControlRequestHeaders: "authorization"], method: .options)
        #expect(allowed.status == .noContent)
        #expect(allowed.headers[.accessControlAllowOrigin] == Self.allowedOrigin)
        #expect(allowed.headers[.accessControlAllowHeaders] == "authorization")
        #expect(allowed.headers[.accessControlAllowMethods] == "GET, POST")
        let other = try await Self.get(
            routes, "/socket.io/?EIO=4&transport=polling", headers: [.origin: "https://evil.example"], method: .options)
        #expect(other.headers[.accessControlAllowOrigin] == nil)
    }

    @Test func operationsEndpointsNeedNoToken() async throws {
        let routes = try await Self.routes()
        let health = try await Self.get(routes, "/health")
        #expect(health.status == .ok && health.body == "ok\n")
        let ready = try await Self.get(routes, "/ready")
        #expect(ready.status == .serviceUnavailable && ready.body.contains("not subscribed in the bus"))
        let metrics = try await Self.get(routes, "/metrics")
        #expect(metrics.status == .ok && metrics.body.contains("gateway_connections"))
    }
}
