import SigV4

/// A source of AWS credentials. Providers of temporary credentials cache and refresh them;
/// callers ask for credentials before every signing.
///
/// Implementations: ``EnvironmentCredentialProvider`` and ``StaticCredentialProvider`` (fixed
/// keys), ``RefreshingCredentialProvider`` (caches what a ``CredentialSource`` fetches and
/// refreshes it before it expires) and ``AWSCredentialChain`` (the SDKs' default chain).
public protocol CredentialProvider: Sendable {
    /// Current credentials. Throws an `AWSError` of kind `.credentials` when there are none.
    func credentials() async throws -> AWSCredentials

    /// Forgets cached credentials, after AWS said they have expired: the next ``credentials()``
    /// fetches new ones.
    func invalidate() async
}

extension CredentialProvider {
    public func invalidate() async {}
}
