import JWTKit
import Payloads

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a verified client may do.
struct GatewayGrant: Sendable, Equatable {
    /// nil: every stream (`*`).
    var streams: Set<StreamName>?
    /// When the token expires; the connection is closed then.
    var expiresAt: Date?
    /// The accounts and regions it may see (the `accounts` and `regions` claims; absent: all).
    var targets = TargetFilter.everything

    static let anonymous = GatewayGrant(streams: nil, expiresAt: nil)

    func allows(_ stream: StreamName) -> Bool { streams?.contains(stream) ?? true }
}

/// Why a token was refused. The message never contains the token.
struct AuthenticationFailure: Error, Equatable, Sendable {
    let reason: String
    static let missing = Self(reason: "missing token: send Authorization: Bearer <jwt> or ?token=<jwt>")
    /// Socket.IO clients pass the token in the CONNECT packet's auth payload.
    static let missingSocketIO = Self(
        reason: "missing token: pass it as auth: {token: \"<jwt>\"}, e.g. io(url + \"/aws-realtime\", {auth: {token}})")
    static let invalid = Self(reason: "invalid token")
    static let expired = Self(reason: "token expired")
    static let notYetValid = Self(reason: "token not yet valid")
    static let noExpiration = Self(reason: "token has no exp")
    static let noStreams = Self(reason: "token has no streams claim")
    static let wrongAudience = Self(reason: "token aud does not name this gateway (GATEWAY_JWT_AUDIENCE)")
    static let wrongIssuer = Self(reason: "token iss is not the issuer this gateway trusts (GATEWAY_JWT_ISSUER)")
    /// An `accounts` or `regions` claim that is not a list of account ids or region names (or `*`).
    static func invalidTargets(_ error: TargetFilterError) -> Self {
        Self(reason: "token \(error.dimension.rawValue) claim: \(error.reason)")
    }
}

/// The claims the gateway reads: `streams` (a list, `"*"`, or a comma-separated string), `accounts`
/// and `regions` (the same forms, validated by ``TargetFilter/parse(_:as:)``; absent: every account,
/// every region), `exp`, `nbf`, and `aud` (a string or a list, RFC 7519 4.1.3) and `iss` when the
/// gateway is configured to check them.
struct GatewayClaims: JWTPayload {
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var sub: SubjectClaim?
    var aud: AudienceClaim?
    var iss: IssuerClaim?
    var streams: ListClaim?
    var accounts: ListClaim?
    var regions: ListClaim?

    /// Time claims are checked by `GatewayAuthenticator` against its injected clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Verifies client JWTs (HS256, RS256 or ES256) against the configured key.
struct GatewayAuthenticator: Sendable {
    private let keys: JWTKeyCollection?
    private let auth: GatewayConfiguration.Auth
    private let now: @Sendable () -> Date

    var isAnonymous: Bool { auth.mode.isAnonymous }

    /// Validates the configuration (a secret of at least 32 bytes, a parseable PEM) and loads the key.
    init(auth: GatewayConfiguration.Auth, now: @escaping @Sendable () -> Date) async throws {
        self.auth = auth
        self.now = now
        switch auth.mode.backing {
        case .anonymous:
            self.keys = nil
        case .required(.none):
            throw GatewayError.invalidConfiguration(
                "auth is required but no key is configured: set GATEWAY_JWT_SECRET (HS256, at least 32 bytes) or "
                    + "GATEWAY_JWT_PUBLIC_KEY_FILE (RS256/ES256 PEM), or start with --allow-anonymous",
                configKey: "GATEWAY_JWT_SECRET")
        case .required(.some(let key)):
            let keys = JWTKeyCollection()
            switch key.backing {
            case .hs256(let secret, let configKey):
                // jwt-kit traps on short HMAC keys; refuse them here with a message instead.
                guard secret.count >= 32 else {
                    throw GatewayError.invalidConfiguration(
                        "the HS256 secret is \(secret.count) bytes; it must be at least 32 bytes", configKey: configKey)
                }
                await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            case .rs256(let pem, let configKey):
                do {
                    await keys.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: .sha256)
                } catch {
                    throw GatewayError.invalidConfiguration(
                        "not an RSA public key in PEM", configKey: configKey, underlying: error)
                }
            case .es256(let pem, let configKey):
                do {
                    await keys.add(ecdsa: try ES256PublicKey(pem: pem))
                } catch {
                    throw GatewayError.invalidConfiguration(
                        "not a P-256 public key in PEM", configKey: configKey, underlying: error)
                }
            }
            self.keys = keys
        }
    }

    /// Verifies `token`; anonymous mode grants everything without one.
    func authenticate(token: String?) async -> Result<GatewayGrant, AuthenticationFailure> {
        guard let keys else { return .success(.anonymous) }
        guard let token, !token.isEmpty else { return .failure(.missing) }
        let claims: GatewayClaims
        do {
            claims = try await keys.verify(token, as: GatewayClaims.self)
        } catch {
            return .failure(.invalid)
        }
        let now = now()
        let leeway = Double(auth.leeway.components.seconds)
        if let exp = claims.exp {
            if exp.value.timeIntervalSince(now) <= -leeway { return .failure(.expired) }
        } else if auth.requiresExpiration {
            return .failure(.noExpiration)
        }
        if let nbf = claims.nbf, nbf.value.timeIntervalSince(now) > leeway { return .failure(.notYetValid) }
        if let audience = auth.audience, !(claims.aud?.value.contains(audience) ?? false) { return .failure(.wrongAudience) }
        if let issuer = auth.issuer, claims.iss?.value != issuer { return .failure(.wrongIssuer) }
        guard let values = claims.streams?.values, !values.isEmpty else { return .failure(.noStreams) }
        var targets = TargetFilter.everything
        switch TargetFilter.parse(claims.accounts?.values, as: .accounts) {
        case .success(let accounts): targets.accounts = accounts
        case .failure(let error): return .failure(.invalidTargets(error))
        }
        switch TargetFilter.parse(claims.regions?.values, as: .regions) {
        case .success(let regions): targets.regions = regions
        case .failure(let error): return .failure(.invalidTargets(error))
        }
        let streams = values.contains("*") ? nil : Set(values.compactMap { StreamName(rawValue: $0) })
        return .success(GatewayGrant(streams: streams, expiresAt: claims.exp?.value, targets: targets))
    }

    /// Token lifetimes are clamped to this: an `exp` years ahead (or 1e300 s) arms a timer that
    /// never fires in practice, and every conversion of it (to `Duration`, NIO's `TimeAmount`)
    /// stays far inside `Int64` nanoseconds.
    static let longestTokenLifetime = Duration.seconds(10 * 366 * 86_400)

    /// How long until `grant` expires (nil: never), by the injected clock; between zero and
    /// ``longestTokenLifetime`` whatever the `exp` claim held.
    func remaining(_ grant: GatewayGrant) -> Duration? {
        guard let expiresAt = grant.expiresAt else { return nil }
        return Self.lifetime(seconds: expiresAt.timeIntervalSince(now()))
    }

    /// `seconds` (any `Double`, from a client's claim) as a lifetime in `0...longestTokenLifetime`.
    static func lifetime(seconds: Double) -> Duration {
        let longest = Double(longestTokenLifetime.components.seconds)
        guard !seconds.isNaN, seconds > 0 else { return .zero }
        guard seconds < longest else { return longestTokenLifetime }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// The token of a request: `Authorization: Bearer`, else the `token` query parameter.
    static func token(authorization: String?, query: String?) -> String? {
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        return queryParameter("token", in: query)
    }

    /// One percent-decoded query parameter.
    static func queryParameter(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
