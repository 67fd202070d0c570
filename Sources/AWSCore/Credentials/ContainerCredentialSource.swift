import Foundation
import Logging

/// The container credentials endpoint: ECS and Fargate task roles
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on `http://169.254.170.2`) and any full URL
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI`: EKS Pod Identity, Greengrass, local emulators) with an
/// authorization token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch, as
/// EKS rotates it; it wins) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialSource: CredentialSource {
    public let name = "container"
    /// The endpoint, checked by ``validate(fullURI:)``.
    public let url: String
    private let authorizationToken: AuthorizationToken?
    private let transport: any Transport
    private let timeout: Duration
    private let attempts: Int

    enum AuthorizationToken: Sendable {
        case file(String)
        case value(String)
    }

    /// The ECS endpoint host for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
    public static let ecsHost = "169.254.170.2"

    init(
        url: String, authorizationToken: AuthorizationToken?, transport: any Transport, timeout: Duration, attempts: Int
    ) {
        self.url = url
        self.authorizationToken = authorizationToken
        self.transport = transport
        self.timeout = timeout
        self.attempts = max(attempts, 1)
    }

    /// The source the environment configures, `nil` when neither URI variable is set; throws
    /// when `AWS_CONTAINER_CREDENTIALS_FULL_URI` names a host the SDKs refuse.
    public static func fromEnvironment(
        _ environment: [String: String], transport: any Transport, timeout: Duration = .seconds(2), attempts: Int = 3
    ) throws(AWSError) -> ContainerCredentialSource? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://\(ecsHost)" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            try validate(fullURI: full)
            url = full
        } else {
            return nil
        }
        var token: AuthorizationToken?
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            token = .file(file)
        } else if let value = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !value.isEmpty {
            token = .value(value)
        }
        return ContainerCredentialSource(
            url: url, authorizationToken: token, transport: transport, timeout: timeout, attempts: attempts)
    }

    /// The SDKs' rule for `AWS_CONTAINER_CREDENTIALS_FULL_URI`: `https` to any host; `http` only
    /// to the ECS (169.254.170.2) and EKS Pod Identity (169.254.170.23, fd00:ec2::23) addresses
    /// or to loopback.
    public static func validate(fullURI: String) throws(AWSError) {
        let key = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        guard !fullURI.contains("@"), let components = URLComponents(string: fullURI),
            let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw AWSError(
                kind: .credentials, message: "the container credentials URL is not an absolute http(s) URL", configurationKey: key
            )
        }
        switch scheme {
        case "https":
            return
        case "http":
            let bare = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if allowedHTTPHosts.contains(bare) || isLoopback(bare) { return }
            throw AWSError(
                kind: .credentials,
                message: "the container credentials URL uses http to \(host): http is allowed only to 169.254.170.2, "
                    + "169.254.170.23, [fd00:ec2::23] or loopback; use https",
                configurationKey: key)
        default:
            throw AWSError(
                kind: .credentials, message: "the container credentials URL must be http or https, not \(scheme)",
                configurationKey: key)
        }
    }

    private static let allowedHTTPHosts: Set<String> = [ecsHost, "169.254.170.23", "fd00:ec2::23"]

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }

    public func fetchCredentials() async throws -> ExpiringCredentials {
        var headers = [AWSHTTPHeader("Accept", "application/json")]
        if let token = try readAuthorizationToken() {
            headers.append(AWSHTTPHeader("Authorization", token))
        }
        let request = AWSHTTPRequest(method: "GET", url: url, headers: headers, timeout: timeout)
        var lastFailure = ""
        for attempt in 1...attempts {
            if attempt > 1 {
                try await Task.sleep(for: .milliseconds(100 * (1 << min(attempt - 2, 4))))
            }
            do {
                let response = try await transport.send(request)
                if response.status == 200 {
                    guard let document = try? JSONValue(parsing: response.body) else {
                        throw AWSError(
                            kind: .credentials,
                            message: "the container credentials endpoint \(url) answered with a body that is not JSON")
                    }
                    return try CredentialDecoding.metadataCredentials(document, what: "the container credentials response")
                }
                lastFailure = "HTTP \(response.status)"
                guard response.status == 429 || response.status >= 500 else { break }
            } catch let error as TransportError {
                lastFailure = error.message
            }
        }
        throw AWSError(kind: .credentials, message: "the container credentials endpoint \(url) failed: \(lastFailure)")
    }

    private func readAuthorizationToken() throws(AWSError) -> String? {
        let token: String
        switch authorizationToken {
        case nil:
            return nil
        case .value(let value):
            token = value
        case .file(let path):
            switch CredentialDecoding.readToken(path, limit: 16 * 1024) {
            case .success(let value):
                token = value
            case .failure(let failure):
                throw AWSError(
                    kind: .credentials, message: "the container authorization token file \(path) \(failure)",
                    configurationKey: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            }
        }
        guard !token.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw AWSError(
                kind: .credentials, message: "the container authorization token contains a line break",
                configurationKey: "AWS_CONTAINER_AUTHORIZATION_TOKEN")
        }
        return token.isEmpty ? nil : token
    }
}
