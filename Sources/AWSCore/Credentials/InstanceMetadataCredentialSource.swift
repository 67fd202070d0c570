import Foundation
import Logging

/// EC2 instance metadata, IMDSv2 only: a session token from `PUT /latest/api/token`, then the
/// role name from `GET /latest/meta-data/iam/security-credentials/` and its credentials from
/// `GET .../<role>`, both with `X-aws-ec2-metadata-token`.
///
/// IMDS is link-local: each request gets a short timeout (1 s by default) and few attempts, so a
/// machine without IMDS (a laptop) falls through quickly.
public struct InstanceMetadataCredentialSource: CredentialSource {
    public let name = "instance metadata"
    /// `http://169.254.169.254`, `http://[fd00:ec2::254]`, or `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    public let endpoint: String
    private let transport: any Transport
    private let timeout: Duration
    private let attempts: Int
    private let tokenTTLSeconds: Int

    public init(
        endpoint: String = "http://169.254.169.254", transport: any Transport, timeout: Duration = .seconds(1), attempts: Int = 2,
        tokenTTLSeconds: Int = 21600
    ) {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.transport = transport
        self.timeout = timeout
        self.attempts = max(attempts, 1)
        self.tokenTTLSeconds = tokenTTLSeconds
    }

    /// The endpoint the environment selects: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the IPv6
    /// address when `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`, else 169.254.169.254.
    public static func endpoint(environment: [String: String]) -> String {
        if let endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"], !endpoint.isEmpty { return endpoint }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" { return "http://[fd00:ec2::254]" }
        return "http://169.254.169.254"
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` turns instance metadata off.
    public static func isDisabled(environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    public func fetchCredentials() async throws -> ExpiringCredentials {
        let token = try await text(
            step: "token request",
            AWSHTTPRequest(
                method: "PUT", url: endpoint + "/latest/api/token",
                headers: [AWSHTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", String(tokenTTLSeconds))], timeout: timeout))
        let tokenHeader = AWSHTTPHeader("X-aws-ec2-metadata-token", token.trimmingCharacters(in: .whitespacesAndNewlines))
        let roles = try await text(
            step: "role name request",
            AWSHTTPRequest(
                method: "GET", url: endpoint + "/latest/meta-data/iam/security-credentials/", headers: [tokenHeader],
                timeout: timeout))
        guard
            let role = roles.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: {
                !$0.isEmpty
            }),
            !role.contains("/")
        else {
            throw AWSError(kind: .credentials, message: "no IAM role is attached to the instance")
        }
        let body = try await text(
            step: "credentials request",
            AWSHTTPRequest(
                method: "GET", url: endpoint + "/latest/meta-data/iam/security-credentials/\(role)", headers: [tokenHeader],
                timeout: timeout))
        guard let document = try? JSONValue(parsing: body) else {
            throw AWSError(kind: .credentials, message: "the instance metadata credentials of role \(role) are not JSON")
        }
        if let code = document["Code"]?.stringValue, code != "Success" {
            throw AWSError(kind: .credentials, message: "instance metadata reports \(code) for the credentials of role \(role)")
        }
        return try CredentialDecoding.metadataCredentials(document, what: "the instance metadata credentials of role \(role)")
    }

    /// Sends with up to `attempts` tries (transport failures and 5xx are retried) and returns the
    /// body of a 200 as text.
    private func text(step: String, _ request: AWSHTTPRequest) async throws -> String {
        var lastFailure = ""
        for attempt in 1...attempts {
            if attempt > 1 { try await Task.sleep(for: .milliseconds(50)) }
            do {
                let response = try await transport.send(request)
                if response.status == 200 { return String(decoding: response.body, as: UTF8.self) }
                lastFailure = Self.explain(status: response.status, step: step)
                if response.status == 404, step == "role name request" {
                    throw AWSError(kind: .credentials, message: "no IAM role is attached to the instance (HTTP 404)")
                }
                guard response.status >= 500 else { break }
            } catch let error as TransportError {
                lastFailure = Self.explain(error)
            }
        }
        throw AWSError(kind: .credentials, message: "\(step) failed: \(lastFailure)")
    }

    static func explain(status: Int, step: String) -> String {
        switch status {
        case 401: "HTTP 401 (the metadata token was refused)"
        case 403: "HTTP 403 (instance metadata is disabled, or the token hop limit is too low)"
        default: "HTTP \(status)"
        }
    }

    static func explain(_ error: TransportError) -> String {
        switch error.code {
        case .connectFailed: "connection refused or unreachable (\(error.message))"
        case .timedOut: "timed out (\(error.message))"
        default: error.message
        }
    }
}
