import Foundation
import Logging

extension AWSCredentialChain {
    /// The AWS SDKs' default chain, so the worker runs unchanged on a laptop, in ECS/Fargate, on
    /// EC2 and on EKS:
    ///
    /// 1. `environment`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
    /// 2. `web identity`: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` [+ `AWS_ROLE_SESSION_NAME`]
    ///    through STS `AssumeRoleWithWebIdentity` (unsigned);
    /// 3. `shared files`: the `AWS_PROFILE` profile of `~/.aws/credentials` and `~/.aws/config`
    ///    (static keys, `role_arn` with `source_profile` / `credential_source` /
    ///    `web_identity_token_file`, IAM Identity Center `sso_session` / `sso_start_url`,
    ///    `credential_process`);
    /// 4. `container`: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` with its token;
    /// 5. `instance metadata`: IMDSv2, unless `AWS_EC2_METADATA_DISABLED=true`.
    ///
    /// `environment` is the process environment (the library never reads it itself; `HOME`
    /// locates `~/.aws`). The shared files are read here, once, so ``profileRegion`` is known at
    /// once; everything else happens on the first ``credentials()``. STS is called in the region
    /// `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile names (else `us-east-1`), at
    /// `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` when set.
    public static func makeDefault(
        environment: [String: String],
        transport: any Transport,
        configuration: AWSCredentialChainConfiguration = AWSCredentialChainConfiguration(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) -> AWSCredentialChain {
        let shared = AWSSharedConfig.load(environment: environment)
        let stsRegion = (try? AWSRegion.resolve(environment: environment, profileRegion: shared.region)) ?? "us-east-1"
        let factory = CredentialSourceFactory(
            environment: environment, transport: transport, configuration: configuration, now: now, logger: logger,
            stsRegion: stsRegion)
        let links = [
            CredentialChainLink(name: "environment") { environmentOutcome(environment) },
            CredentialChainLink(name: "web identity") { webIdentityOutcome(environment, factory: factory) },
            CredentialChainLink(name: "shared files") {
                SharedConfigCredentialResolver(config: shared, factory: factory).resolve()
            },
            CredentialChainLink(name: "container") { containerOutcome(factory: factory) },
            CredentialChainLink(name: "instance metadata") { await instanceMetadataOutcome(environment, factory: factory) },
        ]
        return AWSCredentialChain(links: links, profileName: shared.profileName, profileRegion: shared.region, logger: logger)
    }

    static func environmentOutcome(_ environment: [String: String]) -> CredentialChainOutcome {
        let hasAccessKey = !(environment["AWS_ACCESS_KEY_ID"] ?? "").isEmpty
        let hasSecret = !(environment["AWS_SECRET_ACCESS_KEY"] ?? "").isEmpty
        guard hasAccessKey || hasSecret else { return .skipped("AWS_ACCESS_KEY_ID not set") }
        let provider = EnvironmentCredentialProvider(environment: environment)
        return .found(provider)
    }

    static func webIdentityOutcome(_ environment: [String: String], factory: CredentialSourceFactory) -> CredentialChainOutcome {
        guard let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !tokenFile.isEmpty else {
            return .skipped("AWS_WEB_IDENTITY_TOKEN_FILE not set")
        }
        guard let roleARN = environment["AWS_ROLE_ARN"], !roleARN.isEmpty else {
            return .failed(
                AWSError(
                    kind: .credentials, message: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
                    configurationKey: "AWS_ROLE_ARN"))
        }
        return .found(
            factory.webIdentity(tokenFile: tokenFile, roleARN: roleARN, sessionName: environment["AWS_ROLE_SESSION_NAME"]))
    }

    static func containerOutcome(factory: CredentialSourceFactory) -> CredentialChainOutcome {
        do {
            guard let source = try factory.container() else {
                return .skipped("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set")
            }
            return .found(factory.refreshing(source))
        } catch {
            return .failed(error)
        }
    }

    /// Instance metadata is the last resort and the only source found by asking the network:
    /// any failure of its first fetch means "not on EC2" and is a skip, not an error.
    static func instanceMetadataOutcome(_ environment: [String: String], factory: CredentialSourceFactory) async
        -> CredentialChainOutcome
    {
        guard !InstanceMetadataCredentialSource.isDisabled(environment: environment) else {
            return .skipped("AWS_EC2_METADATA_DISABLED=true")
        }
        let source = factory.instanceMetadata()
        do {
            let initial = try await source.fetchCredentials()
            return .found(
                RefreshingCredentialProvider(
                    source: source, initial: initial, configuration: factory.configuration.refresh, now: factory.now,
                    logger: factory.logger))
        } catch let error as AWSError {
            return .skipped(error.message)
        } catch {
            return .skipped("\(error)")
        }
    }
}
