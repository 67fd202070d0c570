import SigV4

/// Credentials fixed at start-up.
public struct StaticCredentialProvider: CredentialProvider {
    private let value: AWSCredentials

    public init(_ credentials: AWSCredentials) {
        self.value = credentials
    }

    public func credentials() async throws -> AWSCredentials { value }
}
