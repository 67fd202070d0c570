import AWSCore
import AWSServices
import Foundation
import Logging
import Payloads

/// The AWS side of the configured targets: one credential provider per account (the base chain
/// itself, or `sts:AssumeRole` into the account's role over the base chain, cached and refreshed
/// before expiry with one refresh in flight), and one AWS client and one set of rate budgets per
/// (account, Region), since AWS's request quotas are per account and Region.
///
/// The global streams (``WorkerTarget/globalStreams``) are polled once per account as the target
/// (account, `global`), through the client of the account's first Region (Cost Explorer and AWS
/// Health resolve their one endpoint from any Region of the partition).
public struct WorkerTargetClients: Sendable {
    /// One target with the client and budgets its collectors call AWS through.
    public struct Entry: Sendable {
        public var target: WorkerTarget
        public var client: AWSClient
        public var budgets: AWSRateBudgets
        /// The streams polled in this target.
        public var streams: Set<StreamName>
    }

    public let entries: [Entry]

    /// Builds the clients of `targets` (configured: at least one account).
    ///
    /// - Parameters:
    ///   - baseCredentials: the default chain: used directly for an account without a role, and to
    ///     sign the `AssumeRole` calls of the others.
    ///   - environment: endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`, ...).
    public static func make(
        targets: WorkerTargets, rateBudgets: [AWSRateBudgetAPI: Double], baseCredentials: any CredentialProvider,
        transport: any Transport, environment: [String: String], retry: AWSRetryConfiguration, logger: Logger
    ) -> WorkerTargetClients {
        var entries: [Entry] = []
        let regional = Set(StreamName.allCases).subtracting(WorkerTarget.globalStreams)
        for account in targets.accounts {
            guard let firstRegion = account.regions.first else { continue }
            var accountLogger = logger
            accountLogger[metadataKey: "aws.account"] = "\(account.id)"
            let credentials = Self.credentials(
                for: account, base: baseCredentials, region: firstRegion, transport: transport, environment: environment,
                retry: retry, logger: accountLogger)
            for (index, region) in account.regions.enumerated() {
                var regionLogger = accountLogger
                regionLogger[metadataKey: "aws.region"] = "\(region)"
                let client = AWSClient(
                    region: region, transport: transport, credentialProvider: credentials,
                    endpoints: AWSEndpointResolver(environment: environment), retry: retry, logger: regionLogger)
                let budgets = AWSRateBudgets(callsPerSecond: rateBudgets)
                entries.append(
                    Entry(
                        target: .configured(account: account.id, region: region), client: client, budgets: budgets,
                        streams: regional))
                if index == 0 {
                    entries.append(
                        Entry(
                            target: .configured(account: account.id, region: WorkerTarget.globalRegion), client: client,
                            budgets: budgets, streams: WorkerTarget.globalStreams))
                }
            }
        }
        return WorkerTargetClients(entries: entries)
    }

    /// The account's credentials: the base chain, or its role assumed over the base chain.
    static func credentials(
        for account: WorkerTargets.Account, base: any CredentialProvider, region: String, transport: any Transport,
        environment: [String: String], retry: AWSRetryConfiguration, logger: Logger
    ) -> any CredentialProvider {
        guard let roleARN = account.roleARN else { return base }
        let source = AssumeRoleCredentialSource(
            roleARN: roleARN, sessionName: account.sessionName, externalID: account.externalID,
            durationSeconds: account.duration.map { Int($0.components.seconds) }, sourceCredentials: base, region: region,
            environment: environment, transport: transport, retry: retry, logger: logger)
        return RefreshingCredentialProvider(source: source, logger: logger)
    }

    /// Each target's collectors: `CollectorFactory`'s, over the target's client and budgets, for
    /// the target's streams.
    public func collectors(
        settings: StreamSettings, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) -> [WorkerTargetCollectors] {
        entries.map { entry in
            var targetLogger = logger
            targetLogger[metadataKey: "aws.account"] = "\(entry.target.account)"
            targetLogger[metadataKey: "aws.region"] = "\(entry.target.region)"
            let collectors = CollectorFactory.makeCollectors(
                settings: settings, client: entry.client, budgets: entry.budgets, logger: targetLogger, now: now
            ).filter { entry.streams.contains($0.stream) }
            return WorkerTargetCollectors(target: entry.target, collectors: collectors)
        }
    }

    /// Each (account, Region)'s rate budget reports, for `/metrics` (the global target shares its
    /// account's first Region's budgets and is not listed twice).
    public var budgetReports: [(target: WorkerTarget, reports: [AWSRateBudgets.Report])] {
        entries.filter { $0.target.region != WorkerTarget.globalRegion }.map { ($0.target, $0.budgets.reports) }
    }
}
