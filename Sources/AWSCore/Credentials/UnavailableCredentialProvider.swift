import SigV4

/// The provider of a client that only sends unsigned requests (STS `AssumeRoleWithWebIdentity`).
struct UnavailableCredentialProvider: CredentialProvider {
    func credentials() async throws -> AWSCredentials {
        throw AWSError(kind: .credentials, message: "this client sends unsigned requests only")
    }
}
