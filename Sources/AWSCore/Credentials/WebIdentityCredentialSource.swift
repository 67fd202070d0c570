import Foundation
import Logging

/// STS `AssumeRoleWithWebIdentity` with the token in a file, as EKS (IRSA) and other OIDC
/// federations provide it: `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME`.
///
/// The token file is read again on every fetch (EKS rotates it). The call is unsigned: the token
/// is the authentication. The endpoint is STS in `region`, or `AWS_ENDPOINT_URL_STS` /
/// `AWS_ENDPOINT_URL` from `environment`.
public struct WebIdentityCredentialSource: CredentialSource {
    public let name = "web identity"
    public let tokenFile: String
    public let roleARN: String
    public let sessionName: String?
    private let client: AWSClient
    private let now: @Sendable () -> Date

    public init(
        tokenFile: String, roleARN: String, sessionName: String? = nil, region: String,
        environment: [String: String], transport: any Transport, retry: AWSRetryConfiguration = AWSRetryConfiguration(),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName.flatMap { $0.isEmpty ? nil : $0 }
        self.now = now
        self.client = AWSClient(
            region: region, transport: transport, credentialProvider: UnavailableCredentialProvider(),
            endpoints: AWSEndpointResolver(environment: environment), retry: retry, now: now, logger: logger)
    }

    public func fetchCredentials() async throws -> ExpiringCredentials {
        let token: String
        switch CredentialDecoding.readToken(tokenFile) {
        case .success(let text) where !text.isEmpty:
            token = text
        case .success:
            throw AWSError(
                kind: .credentials, message: "the web identity token file \(tokenFile) is empty",
                configurationKey: "AWS_WEB_IDENTITY_TOKEN_FILE")
        case .failure(let failure):
            throw AWSError(
                kind: .credentials, message: "the web identity token file \(tokenFile) \(failure)",
                configurationKey: "AWS_WEB_IDENTITY_TOKEN_FILE")
        }
        let input: JSONValue = .object([
            "RoleArn": .string(roleARN),
            "RoleSessionName": .string(sessionName ?? STSSessionName.generate(now: now())),
            "WebIdentityToken": .string(token),
        ])
        do {
            let result = try await client.call(.stsAssumeRoleWithWebIdentity, input: input, signing: .unsigned)
            return try CredentialDecoding.stsCredentials(result, operation: "AssumeRoleWithWebIdentity")
        } catch let error as AWSError {
            throw STSSessionName.credentialsError(error, role: roleARN)
        }
    }
}
