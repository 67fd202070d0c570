import Foundation
import Logging

/// STS `AssumeRole`, signed with another provider's credentials: a shared-config profile's
/// `role_arn` with its `source_profile` (or `credential_source`).
public struct AssumeRoleCredentialSource: CredentialSource {
    public let name = "assume role"
    public let roleARN: String
    public let sessionName: String?
    public let externalID: String?
    public let durationSeconds: Int?
    private let client: AWSClient
    private let now: @Sendable () -> Date

    public init(
        roleARN: String, sessionName: String? = nil, externalID: String? = nil, durationSeconds: Int? = nil,
        sourceCredentials: any CredentialProvider, region: String, environment: [String: String], transport: any Transport,
        retry: AWSRetryConfiguration = AWSRetryConfiguration(), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.roleARN = roleARN
        self.sessionName = sessionName.flatMap { $0.isEmpty ? nil : $0 }
        self.externalID = externalID.flatMap { $0.isEmpty ? nil : $0 }
        self.durationSeconds = durationSeconds
        self.now = now
        self.client = AWSClient(
            region: region, transport: transport, credentialProvider: sourceCredentials,
            endpoints: AWSEndpointResolver(environment: environment), retry: retry, now: now, logger: logger)
    }

    public func fetchCredentials() async throws -> ExpiringCredentials {
        var input: [String: JSONValue] = [
            "RoleArn": .string(roleARN),
            "RoleSessionName": .string(sessionName ?? STSSessionName.generate(now: now())),
        ]
        if let externalID { input["ExternalId"] = .string(externalID) }
        if let durationSeconds { input["DurationSeconds"] = .integer(Int64(durationSeconds)) }
        do {
            let result = try await client.call(.stsAssumeRole, input: .object(input))
            return try CredentialDecoding.stsCredentials(result, operation: "AssumeRole")
        } catch let error as AWSError {
            throw STSSessionName.credentialsError(error, role: roleARN)
        }
    }
}
