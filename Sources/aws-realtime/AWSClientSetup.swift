import AWSCore
import ArgumentParser
import Logging

/// The AWS client `worker` and `standalone` pull data with, read from the environment once; what
/// the environment gets wrong is a usage error.
enum AWSClientSetup {
    /// The retry policy (`AWS_MAX_ATTEMPTS`).
    static func retry(environment: [String: String]) throws -> AWSRetryConfiguration {
        do {
            return try AWSRetryConfiguration.fromEnvironment(environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A client signing with `credentials` in the region the environment or the profile names.
    static func client(
        environment: [String: String], transport: any Transport, credentials: AWSCredentialChain,
        retry: AWSRetryConfiguration, logger: Logger
    ) throws -> AWSClient {
        let region: String
        do {
            region = try AWSRegion.resolve(environment: environment, profileRegion: credentials.profileRegion)
        } catch {
            throw ValidationError("\(error)")
        }
        return AWSClient(
            region: region, transport: transport, credentialProvider: credentials,
            endpoints: AWSEndpointResolver(environment: environment), retry: retry, logger: logger)
    }
}
