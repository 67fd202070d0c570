import AWSCore
import AWSServices
import Logging
import Worker

/// The worker's AWS side, shared by `worker` and `standalone`: without `targets` in the file, the
/// one default target (the base chain in `AWS_REGION`, the account from the file or STS); with
/// them, one client and one set of rate budgets per configured account and Region.
struct WorkerAWSSetup {
    let targets: [WorkerTargetCollectors]
    /// The default target's budgets (nil with configured targets).
    let budgets: AWSRateBudgets?
    let targetClients: WorkerTargetClients?

    /// Builds the targets and fills in `configuration`'s account and Region (the default target's).
    static func make(
        settings: WorkerSettings, configuration: inout WorkerConfiguration, client: AWSClient,
        credentials: any CredentialProvider, transport: any Transport, environment: [String: String],
        retry: AWSRetryConfiguration, logger: Logger
    ) async -> WorkerAWSSetup {
        configuration.region = client.region
        guard settings.targets.isConfigured else {
            if configuration.account == WorkerConfiguration().account {
                configuration.account = await WorkerCommand.accountID(client: client, logger: logger)
            }
            let budgets = AWSRateBudgets(callsPerSecond: settings.rateBudgets)
            let collectors = CollectorFactory.makeCollectors(
                settings: settings.streams, client: client, budgets: budgets, logger: logger)
            return WorkerAWSSetup(
                targets: [
                    WorkerTargetCollectors(
                        target: .default(account: configuration.account, region: configuration.region), collectors: collectors)
                ], budgets: budgets, targetClients: nil)
        }
        let clients = WorkerTargetClients.make(
            targets: settings.targets, rateBudgets: settings.rateBudgets, baseCredentials: credentials, transport: transport,
            environment: environment, retry: retry, logger: logger)
        logger.info(
            "Polling the configured targets",
            metadata: [
                "worker.accounts": "\(settings.targets.accounts.count)",
                "worker.targets": "\(settings.targets.accountRegions.count)",
            ])
        return WorkerAWSSetup(
            targets: clients.collectors(settings: settings.streams, logger: logger), budgets: nil, targetClients: clients)
    }

    /// The rate budgets' reports for `/metrics`.
    func renderBudgets() -> WorkerMetricsText.Budgets {
        if let targetClients {
            return .perTarget(targetClients.budgetReports)
        }
        return .single(budgets?.reports ?? [])
    }
}
