import Foundation
import JWTKit
import NIOCore
import Payloads
import TestSupport
import Testing

@testable import Gateway

/// The pure parts of the gateway's defences: claim arithmetic, aud/iss, redaction, loopback
/// and Host parsing, the admission budgets.
struct GatewaySecurityUnitTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func authenticator(audience: String? = nil, issuer: String? = nil) async throws -> GatewayAuthenticator {
        try await GatewayAuthenticator(
            auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8))), audience: audience, issuer: issuer),
            now: { now })
    }

    @Test func tokenLifetimesAreClampedWhateverTheClaimHolds() {
        let longest = GatewayAuthenticator.longestTokenLifetime
        #expect(GatewayAuthenticator.lifetime(seconds: 1e300) == longest)
        #expect(GatewayAuthenticator.lifetime(seconds: 9.3e15) == longest)
        #expect(GatewayAuthenticator.lifetime(seconds: .infinity) == longest)
        #expect(GatewayAuthenticator.lifetime(seconds: -1e300) == .zero)
        #expect(GatewayAuthenticator.lifetime(seconds: -.infinity) == .zero)
        #expect(GatewayAuthenticator.lifetime(seconds: .nan) == .zero)
        #expect(GatewayAuthenticator.lifetime(seconds: 1.5) == .milliseconds(1500))
        // The clamp converts to NIO's TimeAmount (the expiry timers) without trapping.
        #expect(TimeAmount(longest).nanoseconds > 0)
    }

    /// The crash of the issue: `exp` = 1e300 trapped in `remaining` (Int64 of a huge Double).
    @Test(arguments: [1e300, 9.3e15, 1.7e308])
    func aHugeExpIsAcceptedAndItsLifetimeClamped(exp: Double) async throws {
        let authenticator = try await Self.authenticator()
        let token = try await rawToken(RawClaims(exp: exp, iat: exp))
        let grant = try await authenticator.authenticate(token: token).get()
        #expect(authenticator.remaining(grant) == GatewayAuthenticator.longestTokenLifetime)
    }

    @Test func hugeOrNegativeTimeClaimsAreRefusedOrIgnoredWithoutTrapping() async throws {
        let authenticator = try await Self.authenticator()
        let expired = try await rawToken(RawClaims(exp: -1e300))
        #expect(await authenticator.authenticate(token: expired) == .failure(.expired))
        let notYet = try await rawToken(RawClaims(exp: 1e300, nbf: 1e300))
        #expect(await authenticator.authenticate(token: notYet) == .failure(.notYetValid))
        let oldNbf = try await rawToken(RawClaims(exp: 1e300, nbf: -1e300, iat: -1e300))
        #expect(try await authenticator.authenticate(token: oldNbf).get().streams == nil)
        let zero = try await rawToken(RawClaims(exp: 0))
        #expect(await authenticator.authenticate(token: zero) == .failure(.expired))
    }

    @Test func audienceMayBeAStringOrAListAndIsCheckedWhenConfigured() async throws {
        let exp = Self.now.timeIntervalSince1970 + 600
        let checking = try await Self.authenticator(audience: "aws-realtime", issuer: "https://auth.example.com")
        func token(aud: AudienceClaim?, iss: String?) async throws -> String {
            try await rawToken(RawClaims(exp: exp, aud: aud, iss: iss))
        }
        let issuer = "https://auth.example.com"
        #expect(try await checking.authenticate(token: token(aud: "aws-realtime", iss: issuer)).get().streams == nil)
        #expect(
            try await checking.authenticate(token: token(aud: .init(value: ["billing", "aws-realtime"]), iss: issuer)).get()
                .streams == nil)
        #expect(await checking.authenticate(token: try await token(aud: "billing", iss: issuer)) == .failure(.wrongAudience))
        #expect(await checking.authenticate(token: try await token(aud: nil, iss: issuer)) == .failure(.wrongAudience))
        #expect(
            await checking.authenticate(token: try await token(aud: "aws-realtime", iss: "https://other.example.com"))
                == .failure(.wrongIssuer))
        #expect(await checking.authenticate(token: try await token(aud: "aws-realtime", iss: nil)) == .failure(.wrongIssuer))
        // Not configured: neither claim is required.
        let lenient = try await Self.authenticator()
        #expect(try await lenient.authenticate(token: token(aud: "billing", iss: nil)).get().streams == nil)
    }

    @Test func configurationsHoldingAKeyNeverPrintIt() {
        let secret = "s3cr3t-0123456789abcdef0123456789abcdef"
        let configuration = GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(secret.utf8)))))
        var dumped = ""
        dump(configuration, to: &dumped)
        let bytes = Array(secret.utf8).map(String.init).joined(separator: ", ")
        for text in [
            String(describing: configuration), String(reflecting: configuration), dumped,
            "\(configuration.auth)", "\(configuration.auth.mode)", String(reflecting: configuration.auth.mode),
        ] {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains(bytes), "\(text)")
            #expect(!text.contains("115, 51, 99"), "\(text)")  // "s3c" as bytes
        }
        #expect("\(configuration.auth.mode)" == "JWT (HS256 secret from GATEWAY_JWT_SECRET (<redacted>))")
        #expect("\(GatewayConfiguration.Auth.Mode.anonymous)" == "anonymous")
    }

    @Test func loopbackIsDecidedOnTheParsedAddress() {
        for address in [
            "127.0.0.1", "127.255.3.9", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1",
        ] {
            #expect(GatewayConfiguration.isLoopback(address: address), "\(address)")
        }
        for address in [
            "127.attacker.example", "127.0.0.1.attacker.example", "1270.0.0.1", "127.1", "0.0.0.0", "::", "128.0.0.1",
            "10.0.0.1", "localhost.attacker.example", "::2", "",
        ] {
            #expect(!GatewayConfiguration.isLoopback(address: address), "\(address)")
        }
    }

    @Test func anonymousLoopbackAnswersOnlyLoopbackHosts() {
        let policy = HostPolicy(configuration: GatewayConfiguration(host: "127.0.0.1", auth: .init(mode: .anonymous)))
        for host in [
            "127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LocalHost", "[::1]:8080", "[::1]", "127.9.9.9:1", "localhost.",
        ] {
            #expect(policy.refusal(authority: host) == nil, "\(host)")
        }
        for host in [
            "attacker.example", "attacker.example:8080", "127.attacker.example:8080", "localhost:abc", "[::1", "", "10.0.0.1",
        ] {
            #expect(policy.refusal(authority: host)?.contains("DNS rebinding") == true, "\(host)")
        }
        #expect(policy.refusal(authority: nil) != nil)
        // Listed names are answered too.
        let listed = HostPolicy(
            configuration: GatewayConfiguration(
                host: "::1", auth: .init(mode: .anonymous), allowedHosts: .list(["dev.example.com"])))
        #expect(listed.refusal(authority: "dev.example.com:8080") == nil)
        #expect(listed.refusal(authority: "[::1]:8080") == nil)
        #expect(listed.refusal(authority: "attacker.example") != nil)
    }

    @Test func otherGatewaysCheckHostsOnlyWhenListed() {
        let authenticated = HostPolicy(
            configuration: GatewayConfiguration(host: "127.0.0.1", auth: .init(mode: .required(.hs256(secret: [1])))))
        #expect(!authenticated.isChecking)
        #expect(authenticated.refusal(authority: "attacker.example") == nil)
        let exposed = HostPolicy(configuration: GatewayConfiguration(host: "0.0.0.0", auth: .init(mode: .anonymous)))
        #expect(!exposed.isChecking)
        let listed = HostPolicy(
            configuration: GatewayConfiguration(host: "10.1.2.3", allowedHosts: .list(["gw.example.com:443"])))
        #expect(listed.refusal(authority: "gw.example.com") == nil)
        #expect(listed.refusal(authority: "10.1.2.3:8080") == nil)
        #expect(listed.refusal(authority: "127.0.0.1:8080") == nil)
        #expect(
            listed.refusal(authority: "other.example.com")
                == "Misdirected Request: Host 'other.example.com' is not in GATEWAY_ALLOWED_HOSTS")
        #expect(HostPolicy.isExempt(path: "/ready") && !HostPolicy.isExempt(path: "/events"))
    }

    @Test func pendingHandshakesHaveTheirOwnBudgetsAndMoveToACountedSlotOnConnect() {
        var admission = GatewayAdmission(
            limits: .init(maxConnections: 2, maxPendingHandshakes: 3, maxPendingHandshakesPerAddress: 2))
        let a = ClientAddress(description: "192.0.2.1")
        let b = ClientAddress(description: "192.0.2.2")
        let ids = (0..<6).map { _ in ConnectionID.make() }
        #expect(admission.admitPending(ids[0], from: a) == nil)
        #expect(admission.admitPending(ids[1], from: a) == nil)
        #expect(admission.admitPending(ids[2], from: a) == .pendingLimitPerAddress)
        #expect(admission.admitPending(ids[2], from: b) == nil)
        #expect(admission.admitPending(ids[3], from: b) == .pendingLimit)
        // Pending sessions take no counted slot.
        #expect(admission.hasCapacity && admission.admittedCount == 0)
        #expect(admission.admit(ids[4]) == nil)
        #expect(admission.promote(ids[0]) == nil)
        #expect(admission.admittedCount == 2 && admission.pendingCount == 2)
        // At the limit a promotion is refused and the session stays pending.
        #expect(admission.promote(ids[1]) == .connectionLimit)
        #expect(admission.pendingCount == 2)
        #expect(admission.admitPending(ids[5], from: a) == nil)  // ids[0] left a's budget when promoted
        admission.release(ids[4])
        #expect(admission.promote(ids[1]) == nil)
        for id in ids { admission.release(id) }
        #expect(admission.admittedCount == 0 && admission.pendingCount == 0)
        #expect(admission.pendingRefusal(from: a) == nil)
    }

    @Test func clientAddressesGroupIPv6By64AndUnmapIPv4() throws {
        #expect(ClientAddress(try SocketAddress(ipAddress: "192.0.2.7", port: 1)).description == "192.0.2.7")
        #expect(ClientAddress(try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)).description == "192.0.2.7")
        let one = ClientAddress(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1))
        let two = ClientAddress(try SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 1))
        #expect(one == two && one.description == "2001:db8:1:2::/64")
        #expect(ClientAddress(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)) != one)
        #expect(ClientAddress(nil) == .unknown)
    }

    @Test func securitySettingsFromTheEnvironment() throws {
        let configuration = try GatewayConfiguration.fromEnvironment(
            [
                "GATEWAY_JWT_SECRET": testSecret, "GATEWAY_JWT_AUDIENCE": "aws-realtime", "GATEWAY_JWT_ISSUER": "https://i",
                "GATEWAY_ALLOWED_HOSTS": "gw.example.com, other.example.com:8443", "GATEWAY_MAX_PENDING_HANDSHAKES": "50",
                "GATEWAY_MAX_PENDING_HANDSHAKES_PER_ADDRESS": "5", "GATEWAY_SOCKETIO_CONNECT_TIMEOUT_MS": "2500",
            ], allowAnonymous: false, readFile: { _ in "" })
        #expect(configuration.auth.audience == "aws-realtime" && configuration.auth.issuer == "https://i")
        #expect(configuration.limits.maxPendingHandshakes == 50 && configuration.limits.maxPendingHandshakesPerAddress == 5)
        #expect(configuration.socketIO.connectTimeout == .milliseconds(2500))
        guard case .list(let hosts) = configuration.allowedHosts.backing else {
            Issue.record("GATEWAY_ALLOWED_HOSTS not read")
            return
        }
        #expect(hosts == ["gw.example.com", "other.example.com"])
        #expect(throws: GatewayError.self) {
            try GatewayConfiguration.fromEnvironment(
                ["GATEWAY_ALLOWED_HOSTS": "bad host:x"], allowAnonymous: true, readFile: { _ in "" })
        }
        #expect(
            GatewayConfiguration.configuredKeyVariables(in: ["GATEWAY_JWT_SECRET": "x", "GATEWAY_JWT_PUBLIC_KEY_FILE": ""])
                == ["GATEWAY_JWT_SECRET"])
        let defaults = GatewayConfiguration()
        #expect(defaults.socketIO.connectTimeout == .seconds(10))
        #expect(defaults.limits.maxPendingHandshakes == 1024 && defaults.limits.maxPendingHandshakesPerAddress == 64)
    }
}
