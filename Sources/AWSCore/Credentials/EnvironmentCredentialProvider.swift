import SigV4

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
/// `AWS_SESSION_TOKEN`, as every AWS SDK reads them first.
public struct EnvironmentCredentialProvider: CredentialProvider {
    private let result: Result<AWSCredentials, AWSError>

    public init(environment: [String: String]) {
        result = Self.read(environment)
    }

    public func credentials() async throws -> AWSCredentials {
        try result.get()
    }

    /// Whether the environment holds credentials at all (both variables set and non-empty).
    public var isAvailable: Bool {
        if case .success = result { return true }
        return false
    }

    private static func read(_ environment: [String: String]) -> Result<AWSCredentials, AWSError> {
        let accessKey = environment["AWS_ACCESS_KEY_ID"] ?? ""
        let secret = environment["AWS_SECRET_ACCESS_KEY"] ?? ""
        switch (accessKey.isEmpty, secret.isEmpty) {
        case (true, true):
            return .failure(
                AWSError(
                    kind: .credentials, message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
                    configurationKey: "AWS_ACCESS_KEY_ID"))
        case (false, true):
            return .failure(
                AWSError(
                    kind: .credentials, message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                    configurationKey: "AWS_SECRET_ACCESS_KEY"))
        case (true, false):
            return .failure(
                AWSError(
                    kind: .credentials, message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                    configurationKey: "AWS_ACCESS_KEY_ID"))
        case (false, false):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return .success(AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: token))
        }
    }
}
