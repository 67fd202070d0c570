import Logging
import SigV4

/// Finds credentials where the AWS SDKs find them, in their order, and then sticks to the source
/// that had them: see ``makeDefault(environment:transport:configuration:now:logger:)``.
///
/// The first call resolves the chain (concurrent first callers share that resolution); a source
/// that is not configured is skipped with a reason; a source that is configured but fails stops
/// the chain with its error. When nothing is found the `.credentials` error lists every source
/// and why it was skipped. Nothing is cached after a failed resolution: the next call tries again.
public actor AWSCredentialChain: CredentialProvider {
    /// The shared-config profile in use (`AWS_PROFILE`, default `default`).
    public nonisolated let profileName: String
    /// That profile's `region`, for ``AWSRegion/resolve(explicit:environment:profileRegion:)``.
    public nonisolated let profileRegion: String?

    private let links: [CredentialChainLink]
    private let logger: Logger
    private var selected: (name: String, provider: any CredentialProvider)?
    private var resolution: Task<(String, any CredentialProvider, AWSCredentials), any Error>?

    init(links: [CredentialChainLink], profileName: String, profileRegion: String?, logger: Logger) {
        self.links = links
        self.profileName = profileName
        self.profileRegion = profileRegion
        self.logger = logger
    }

    /// The name of the source in use (`environment`, `web identity`, `shared files`,
    /// `container`, `instance metadata`), once resolved.
    public var sourceName: String? { selected?.name }

    /// The `code` of the error ``credentials()`` throws when no source of the chain is
    /// configured at all (as opposed to one that is configured and fails).
    public static let noCredentialsFoundCode = "NoCredentialsFound"

    public func credentials() async throws -> AWSCredentials {
        if let selected {
            return try await selected.provider.credentials()
        }
        if let resolution {
            return try await resolution.value.2
        }
        let links = self.links
        let logger = self.logger
        // Awaited by every concurrent first caller; bounded by the sources' own timeouts.
        let task = Task { try await Self.resolve(links, logger: logger) }
        resolution = task
        do {
            let (name, provider, credentials) = try await task.value
            selected = (name, provider)
            resolution = nil
            logger.info("Using AWS credentials", metadata: ["aws.credentials.source": "\(name)"])
            return credentials
        } catch {
            resolution = nil
            throw error
        }
    }

    public func invalidate() async {
        await selected?.provider.invalidate()
    }

    private static func resolve(_ links: [CredentialChainLink], logger: Logger) async throws -> (
        String, any CredentialProvider, AWSCredentials
    ) {
        var skipped: [String] = []
        for link in links {
            switch await link.resolve() {
            case .skipped(let reason):
                logger.debug(
                    "Credential source skipped",
                    metadata: ["aws.credentials.source": "\(link.name)", "aws.credentials.reason": "\(reason)"])
                skipped.append("\(link.name): \(reason)")
            case .failed(let error):
                throw failure(link.name, error, skipped: skipped)
            case .found(let provider):
                do {
                    return (link.name, provider, try await provider.credentials())
                } catch let error as AWSError {
                    throw failure(link.name, error, skipped: skipped)
                }
            }
        }
        throw AWSError(
            kind: .credentials, code: noCredentialsFoundCode,
            message: "no AWS credentials found: " + skipped.joined(separator: "; "))
    }

    private static func failure(_ source: String, _ error: AWSError, skipped: [String]) -> AWSError {
        var message = "\(source) credentials failed: \(error.kind == .credentials ? error.message : error.description)"
        if let key = error.configurationKey { message += " (\(key))" }
        if !skipped.isEmpty { message += " [skipped before: \(skipped.joined(separator: "; "))]" }
        return AWSError(kind: .credentials, message: message, isRetryable: error.isRetryable, underlying: error)
    }
}
