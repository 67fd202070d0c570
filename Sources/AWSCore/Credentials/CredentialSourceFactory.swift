import Foundation
import Logging

/// Builds the chain's providers with shared settings: one place that knows the environment, the
/// transport, the clock, the logger and the configuration.
struct CredentialSourceFactory: Sendable {
    let environment: [String: String]
    let transport: any Transport
    let configuration: AWSCredentialChainConfiguration
    let now: @Sendable () -> Date
    let logger: Logger
    /// The region whose STS endpoint the STS sources call.
    let stsRegion: String

    func refreshing(_ source: any CredentialSource) -> RefreshingCredentialProvider {
        RefreshingCredentialProvider(source: source, configuration: configuration.refresh, now: now, logger: logger)
    }

    func webIdentity(tokenFile: String, roleARN: String, sessionName: String?) -> RefreshingCredentialProvider {
        refreshing(
            WebIdentityCredentialSource(
                tokenFile: tokenFile, roleARN: roleARN, sessionName: sessionName, region: stsRegion, environment: environment,
                transport: transport, retry: configuration.stsRetry, now: now, logger: logger))
    }

    func assumeRole(
        roleARN: String, sessionName: String?, externalID: String?, durationSeconds: Int?, source: any CredentialProvider
    ) -> RefreshingCredentialProvider {
        refreshing(
            AssumeRoleCredentialSource(
                roleARN: roleARN, sessionName: sessionName, externalID: externalID, durationSeconds: durationSeconds,
                sourceCredentials: source, region: stsRegion, environment: environment, transport: transport,
                retry: configuration.stsRetry, now: now, logger: logger))
    }

    /// IAM Identity Center: the token cache is `~/.aws/sso/cache` under `HOME`.
    func sso(_ profile: SSOProfile) throws(AWSError) -> RefreshingCredentialProvider {
        guard let cache = AWSSharedConfig.expand("~/.aws/sso/cache", home: environment["HOME"]) else {
            throw AWSError(
                kind: .credentials,
                message:
                    "profile \(profile.profileName) uses IAM Identity Center, whose token cache is under HOME, which is not set",
                configurationKey: "HOME")
        }
        return refreshing(
            SSOCredentialSource(
                profile: profile, cacheDirectory: cache, environment: environment, transport: transport, now: now))
    }

    func process(command: String) -> RefreshingCredentialProvider {
        refreshing(
            ProcessCredentialSource(
                command: command, environment: environment, timeout: configuration.credentialProcess.timeout,
                maxOutputBytes: configuration.credentialProcess.maxOutputBytes))
    }

    /// The container source, `nil` when the environment configures none.
    func container() throws(AWSError) -> ContainerCredentialSource? {
        try ContainerCredentialSource.fromEnvironment(
            environment, transport: transport, timeout: configuration.container.timeout,
            attempts: configuration.container.attempts)
    }

    func instanceMetadata() -> InstanceMetadataCredentialSource {
        InstanceMetadataCredentialSource(
            endpoint: InstanceMetadataCredentialSource.endpoint(environment: environment), transport: transport,
            timeout: configuration.instanceMetadata.timeout, attempts: configuration.instanceMetadata.attempts)
    }
}
