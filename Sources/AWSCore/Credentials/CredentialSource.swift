/// Fetches credentials once, without caching: STS, a container endpoint, instance metadata, a
/// `credential_process`. Wrap one in ``RefreshingCredentialProvider`` to cache and refresh.
public protocol CredentialSource: Sendable {
    /// A short name for logs and errors (`web identity`, `instance metadata`, ...).
    var name: String { get }

    /// Fetches fresh credentials. Throws an `AWSError` (kind `.credentials`, or the STS call's
    /// own error) that never contains a secret.
    func fetchCredentials() async throws -> ExpiringCredentials
}
