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
            let result = try await client.call(.sts, operation: "AssumeRole", input: .object(input))
            return try CredentialDecoding.stsCredentials(result, operation: "AssumeRole")
        } catch let error as AWSError {
            throw STSSessionName.credentialsError(error, role: roleARN)
        }
    }
}

/// Helpers shared by the STS sources.
enum STSSessionName {
    /// `aws-realtime-<milliseconds since 1970>`, as the SDKs name sessions nobody named.
    static func generate(now: Date) -> String {
        "aws-realtime-\(Int64(now.timeIntervalSince1970 * 1000))"
    }

    /// An STS failure as a credentials error that names the role; the STS error (its code, status
    /// and request id) is in the message and in `underlying`.
    static func credentialsError(_ error: AWSError, role: String) -> AWSError {
        if error.kind == .credentials { return error }
        return AWSError(
            kind: .credentials, message: "assuming \(role) failed: \(error.description)", isRetryable: error.isRetryable,
            underlying: error)
    }
}
