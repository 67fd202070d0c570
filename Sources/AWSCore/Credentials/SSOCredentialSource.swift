import Crypto
import Foundation

/// IAM Identity Center (SSO) credentials for a shared-config profile: the access token that
/// `aws sso login` cached under `~/.aws/sso/cache/`, exchanged at the SSO portal
/// (`GetRoleCredentials`) for the credentials of one role in one account.
///
/// The token file is read again on every fetch, so a new `aws sso login` is picked up without a
/// restart. A missing or expired token is not refreshed here (that needs the browser sign-in):
/// the error names the `aws sso login` command to run. The portal is
/// `portal.sso.<sso_region>.amazonaws.com`, or `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL`.
public struct SSOCredentialSource: CredentialSource {
    public let name = "IAM Identity Center"
    public let profile: SSOProfile
    private let cacheDirectory: String
    private let endpoints: AWSEndpointResolver
    private let transport: any Transport
    private let timeout: Duration
    private let attempts: Int
    private let now: @Sendable () -> Date

    /// - Parameter cacheDirectory: `~/.aws/sso/cache`, expanded.
    public init(
        profile: SSOProfile, cacheDirectory: String, environment: [String: String], transport: any Transport,
        timeout: Duration = .seconds(10), attempts: Int = 3, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.profile = profile
        self.cacheDirectory = cacheDirectory
        self.endpoints = AWSEndpointResolver(environment: environment)
        self.transport = transport
        self.timeout = timeout
        self.attempts = max(attempts, 1)
        self.now = now
    }

    /// The cache file of the profile's token, as the AWS CLI names it: the SHA-1 of the session
    /// name (`sso_session`), or of the start URL for a legacy profile, in hex.
    public var tokenFile: String {
        let key = profile.sessionName ?? profile.startURL
        let digest = Insecure.SHA1.hash(data: Array(key.utf8))
        return cacheDirectory + "/" + digest.map { String(format: "%02x", $0) }.joined() + ".json"
    }

    public func fetchCredentials() async throws -> ExpiringCredentials {
        let token = try readAccessToken()
        let operation = AWSOperation.ssoGetRoleCredentials
        let endpoint = try endpoints.endpoint(for: operation.service, region: profile.region)
        let url =
            endpoint.baseURL + "/federation/credentials?"
            + QueryProtocol.formEncode([("account_id", profile.accountID), ("role_name", profile.roleName)])
        let request = AWSHTTPRequest(
            method: "GET", url: url,
            headers: [AWSHTTPHeader("Accept", "application/json"), AWSHTTPHeader("x-amz-sso_bearer_token", token)],
            timeout: timeout)
        var lastFailure = ""
        for attempt in 1...attempts {
            if attempt > 1 {
                try await Task.sleep(for: .milliseconds(200 * (1 << min(attempt - 2, 4))))
            }
            do {
                let response = try await transport.send(request)
                if response.status == 200 { return try decode(response.body) }
                let error = AWSErrorDecoder.decode(response, service: operation.service, operation: operation.name)
                if response.status == 401 || response.status == 403 {
                    throw AWSError(
                        kind: .credentials, service: error.service, operation: error.operation, code: error.code,
                        message:
                            "IAM Identity Center refused the token of profile \(profile.profileName) for role \(profile.roleName) "
                            + "in account \(profile.accountID) (\(error.code ?? "HTTP \(response.status)")): \(loginHint)",
                        requestID: error.requestID, httpStatus: response.status)
                }
                guard error.isRetryable else { throw error }
                lastFailure = "\(error.code ?? "HTTP \(response.status)")"
            } catch let error as TransportError {
                lastFailure = error.message
            }
        }
        throw AWSError(
            kind: .credentials, service: operation.service.cliName, operation: operation.name,
            message: "the IAM Identity Center portal at \(endpoint.host) failed \(attempts) times: \(lastFailure)")
    }

    /// What to run when the token is missing, expired or refused.
    var loginHint: String {
        if let session = profile.sessionName { return "run `aws sso login --sso-session \(session)`" }
        return "run `aws sso login --profile \(profile.profileName)`"
    }

    private func readAccessToken() throws(AWSError) -> String {
        let file = tokenFile
        let bytes: [UInt8]
        switch CredentialDecoding.readSmallFile(file, limit: 1024 * 1024) {
        case .success(let read):
            bytes = read
        case .failure(.missing):
            throw AWSError(
                kind: .credentials,
                message:
                    "no IAM Identity Center sign-in for profile \(profile.profileName) (\(file) does not exist): \(loginHint)")
        case .failure(let failure):
            throw AWSError(kind: .credentials, message: "the IAM Identity Center token cache \(file) \(failure)")
        }
        guard let document = try? JSONValue(parsing: bytes), let token = document["accessToken"]?.stringValue, !token.isEmpty
        else {
            throw AWSError(
                kind: .credentials, message: "the IAM Identity Center token cache \(file) has no accessToken: \(loginHint)")
        }
        guard !token.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw AWSError(kind: .credentials, message: "the IAM Identity Center token in \(file) contains a line break")
        }
        guard let text = document["expiresAt"]?.stringValue, let expiresAt = Self.cacheDate(text) else {
            throw AWSError(
                kind: .credentials,
                message: "the IAM Identity Center token cache \(file) has no readable expiresAt: \(loginHint)")
        }
        guard expiresAt > now() else {
            throw AWSError(
                kind: .credentials,
                message:
                    "the IAM Identity Center sign-in of profile \(profile.profileName) expired at \(text): \(loginHint)")
        }
        return token
    }

    /// The portal's answer: `{"roleCredentials":{"accessKeyId", "secretAccessKey", "sessionToken",
    /// "expiration": <milliseconds since 1970>}}`.
    private func decode(_ body: [UInt8]) throws(AWSError) -> ExpiringCredentials {
        let what = "the IAM Identity Center GetRoleCredentials response"
        guard let document = try? JSONValue(parsing: body), let credentials = document["roleCredentials"] else {
            throw AWSError(
                kind: .malformedResponse, service: "sso", operation: "GetRoleCredentials",
                message: "\(what) has no roleCredentials")
        }
        var expiring = try CredentialDecoding.read(
            credentials, accessKey: "accessKeyId", secret: "secretAccessKey", token: "sessionToken", isExpirationRequired: false,
            what: what)
        // Milliseconds, bounded before converting: from 1970 to the year 5000.
        guard case .integer(let milliseconds) = credentials["expiration"], (1...95_617_584_000_000).contains(milliseconds) else {
            throw AWSError(kind: .credentials, message: "\(what) has no expiration in milliseconds since 1970")
        }
        expiring.expiration = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return expiring
    }

    /// `expiresAt` as the AWS CLI writes it: ISO 8601 (`2026-12-06T08:00:00Z`), or the older CLI's
    /// `2026-12-06T08:00:00UTC`.
    static func cacheDate(_ text: String) -> Date? {
        var normalized = text.trimmingCharacters(in: .whitespaces)
        if normalized.hasSuffix("UTC") { normalized = normalized.dropLast(3) + "Z" }
        return CredentialDecoding.date(normalized)
    }
}
