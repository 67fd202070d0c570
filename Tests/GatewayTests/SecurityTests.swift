import Bus
import Foundation
import Gateway
import JWTKit
import Payloads
import TestSupport
import Testing

/// JWT auth and the Origin allow list, over real WebSocket and SSE clients.
@Suite(.serialized, .tags(.integration))
struct SecurityTests {
    static var authenticated: GatewayConfiguration {
        GatewayConfiguration(
            auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))),
            allowedOrigins: .list(["https://dashboard.example.com"]))
    }

    @Test func validTokenReadsItsStreamsOnly() async throws {
        let token = try await hs256Token(streams: ["aws-metrics"])
        try await withGateway(Self.authenticated) { gateway in
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "--header", "Authorization=Bearer \(token)",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-costs\"}", "recv:1",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "recv:1",
                ])
            try await client.waitForExit()
            let received = client.received()
            #expect(received.first?.contains("\"code\":\"forbidden\"") == true)
            #expect(received.last?.hasPrefix("{\"op\":\"subscribed\",\"stream\":\"aws-metrics\"") == true)
            // Browsers put the token in the query.
            let query = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL + "?token=\(token)", "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "recv:1"])
            try await query.waitForExit()
            #expect(query.received().first?.contains("subscribed") == true)
        }
    }

    @Test func badTokensAreRefusedWith401() async throws {
        let expired = try await hs256Token(streams: ["*"], expiresIn: -120)
        let wrongKey = try await hs256Token(streams: ["*"], secret: "another-secret-that-is-long-enough-0123456789")
        let notYet = try await hs256Token(streams: ["*"], notBefore: Date().addingTimeInterval(3600))
        let noExpiry = try await hs256Token(streams: ["*"], expiresIn: nil)
        try await withGateway(Self.authenticated) { gateway in
            for headers in [
                [], ["--header", "Authorization=Bearer \(expired)"], ["--header", "Authorization=Bearer \(wrongKey)"],
                ["--header", "Authorization=Bearer \(notYet)"], ["--header", "Authorization=Bearer \(noExpiry)"],
                ["--header", "Authorization=Bearer not.a.jwt"],
            ] {
                let client = try ScriptedClient("ws_client", [gateway.webSocketURL] + headers)
                try await client.waitForExit()
                #expect(client.lines().first?["refused"] as? Int == 401, "\(headers)")
            }
            #expect(try await gateway.metric("gateway_auth_failures_total") == 6)
            let sse = try await gateway.get("/events?streams=aws-metrics", headers: ["Authorization: Bearer \(expired)"])
            #expect(sse.status == 401)
        }
    }

    @Test func expiringTokenClosesTheSocket() async throws {
        var configuration = Self.authenticated
        configuration.auth.leeway = .zero
        let token = try await hs256Token(streams: ["*"], expiresIn: 2)
        try await withGateway(configuration) { gateway in
            let client = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL, "--header", "Authorization=Bearer \(token)",
                    "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "recv:1", "wait-close",
                ])
            let closed = try await client.waitFor("closed") { $0["closed"] != nil }
            #expect(closed["closed"] as? Int == 1008)
            #expect(closed["reason"] as? String == "token expired")
        }
    }

    /// An SSE stream ends at its token's expiry with a `close` event saying so.
    @Test func expiringTokenEndsTheEventStream() async throws {
        var configuration = Self.authenticated
        configuration.auth.leeway = .zero
        let token = try await hs256Token(streams: ["*"], expiresIn: 2)
        try await withGateway(configuration) { gateway in
            let started = ContinuousClock.now
            let text = try await runProcess(
                "/usr/bin/curl",
                ["-sN", "--max-time", "10", "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics&token=\(token)"])
            #expect(text.contains("event: close"), "\(text)")
            #expect(text.contains(#""code":1008,"reason":"token expired""#), "\(text)")
            #expect(ContinuousClock.now - started < .seconds(8), "ended at the token's expiry, not at curl's --max-time")
        }
    }

    @Test func es256PublicKeyVerifies() async throws {
        let privateKey = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: privateKey)
        let token = try await keys.sign(TestClaims(exp: .init(value: Date().addingTimeInterval(600)), streams: ["*"]))
        let configuration = GatewayConfiguration(
            auth: .init(mode: .required(.es256(publicKeyPEM: privateKey.publicKey.pemRepresentation))))
        try await withGateway(configuration) { gateway in
            let client = try ScriptedClient(
                "ws_client",
                [gateway.webSocketURL, "--header", "Authorization=Bearer \(token)", "send:{\"op\":\"ping\"}", "recv:1"])
            try await client.waitForExit()
            #expect(client.received() == ["{\"op\":\"pong\"}"])
        }
    }

    @Test func originsOutsideTheListAreRefusedWith403() async throws {
        let token = try await hs256Token(streams: ["*"])
        try await withGateway(Self.authenticated) { gateway in
            let evil = try ScriptedClient(
                "ws_client", [gateway.webSocketURL + "?token=\(token)", "--origin", "https://evil.example.net"])
            try await evil.waitForExit()
            #expect(evil.lines().first?["refused"] as? Int == 403)
            let good = try ScriptedClient(
                "ws_client",
                [
                    gateway.webSocketURL + "?token=\(token)", "--origin", "https://dashboard.example.com",
                    "send:{\"op\":\"ping\"}", "recv:1",
                ])
            try await good.waitForExit()
            #expect(good.received() == ["{\"op\":\"pong\"}"])
            let sse = try await gateway.get(
                "/events?streams=aws-metrics&token=\(token)", headers: ["Origin: https://evil.example.net"])
            #expect(sse.status == 403)
            #expect(try await gateway.metric("gateway_origin_refusals_total") == 2)
        }
    }

    @Test func startUpRefusesShortSecretsAndWildcardWithCredentials() async throws {
        let short = GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array("too-short".utf8)))))
        await #expect {
            try await Gateway<InProcessSubscriber>.validate(short)
        } throws: { error in
            let error = error as? GatewayError
            return error?.configKey == "GATEWAY_JWT_SECRET" && error?.message.contains("at least 32 bytes") == true
        }
        let wildcard = GatewayConfiguration(
            auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))), allowedOrigins: .any)
        await #expect {
            try await Gateway<InProcessSubscriber>.validate(wildcard)
        } throws: { error in
            (error as? GatewayError)?.configKey == "GATEWAY_ALLOWED_ORIGINS"
        }
        await #expect(throws: GatewayError.self) {
            try await Gateway<InProcessSubscriber>.validate(GatewayConfiguration())
        }
        try await Gateway<InProcessSubscriber>.validate(GatewayConfiguration(auth: .init(mode: .anonymous), allowedOrigins: .any))
    }
}
