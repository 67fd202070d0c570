import Foundation
import JWTKit

/// The HS256 secret the gateway tests configure (`GATEWAY_JWT_SECRET`) and sign with.
public let testSecret = "0123456789abcdef0123456789abcdef-test-secret"

/// The claims a client's token carries: `exp`, `nbf`, the `streams` it may read, and the
/// `accounts` and `regions` it is limited to (nil: absent).
public struct TestClaims: JWTPayload {
    public var exp: ExpirationClaim?
    public var nbf: NotBeforeClaim?
    public var streams: [String]?
    public var accounts: [String]?
    public var regions: [String]?

    public init(
        exp: ExpirationClaim?, nbf: NotBeforeClaim? = nil, streams: [String]?, accounts: [String]? = nil, regions: [String]? = nil
    ) {
        self.exp = exp
        self.nbf = nbf
        self.streams = streams
        self.accounts = accounts
        self.regions = regions
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// An HS256 token for `streams`, expiring `expiresIn` seconds from now (nil: no `exp`);
/// `accounts`, `regions`: the claims limiting the AWS accounts and regions (nil: absent, all).
public func hs256Token(
    streams: [String]?, expiresIn: TimeInterval? = 600, secret: String = testSecret, notBefore: Date? = nil,
    accounts: [String]? = nil, regions: [String]? = nil
) async throws -> String {
    try await sign(
        TestClaims(
            exp: expiresIn.map { ExpirationClaim(value: Date().addingTimeInterval($0)) },
            nbf: notBefore.map { NotBeforeClaim(value: $0) }, streams: streams, accounts: accounts, regions: regions),
        secret: secret)
}

/// Claims with raw numbers, as a hostile client can mint them with a leaked or shared key.
public struct RawClaims: JWTPayload {
    public var exp: Double?
    public var nbf: Double?
    public var iat: Double?
    public var aud: AudienceClaim?
    public var iss: String?
    public var streams: [String]?

    public init(
        exp: Double? = nil, nbf: Double? = nil, iat: Double? = nil, aud: AudienceClaim? = nil, iss: String? = nil,
        streams: [String]? = ["*"]
    ) {
        self.exp = exp
        self.nbf = nbf
        self.iat = iat
        self.aud = aud
        self.iss = iss
        self.streams = streams
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// An HS256 token carrying `claims` as they are.
public func rawToken(_ claims: RawClaims, secret: String = testSecret) async throws -> String {
    try await sign(claims, secret: secret)
}

private func sign(_ claims: some JWTPayload, secret: String) async throws -> String {
    let keys = JWTKeyCollection()
    await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    return try await keys.sign(claims)
}
