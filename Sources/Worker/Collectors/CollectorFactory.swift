import AWSCore
import AWSServices
import Foundation
import Logging

/// The six collectors, built from the configuration and one AWS client.
public enum CollectorFactory {
    /// Every client takes its requests from `budgets` (one budget per AWS API, shared by all the
    /// collectors of this account and Region), so the worker stays inside AWS's request quotas.
    /// Each collector counts its requests (and the answer items it skipped) on its own usage
    /// counter, so a poll's cost is exactly its own requests'.
    public static func makeCollectors(
        settings: StreamSettings, client: AWSClient, budgets: AWSRateBudgets = AWSRateBudgets(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> [any Collector] {
        let cloudTrailLimiter = budgets.limiter(for: .lookupEvents) ?? .cloudTrailLookupEvents(clock: ContinuousClock())
        return [
            MetricsCollector(
                cloudWatch: CloudWatchClient(client: client, usage: AWSUsageCounter(), budgets: budgets, logger: logger),
                settings: settings.metrics, logger: logger, now: now),
            LogsCollector(
                client: CloudWatchLogsClient(client: client, usage: AWSUsageCounter(), budgets: budgets, logger: logger),
                settings: settings.logs, logger: logger, now: now),
            ActivityCollector(
                client: CloudTrailClient(
                    client: client, rateLimiter: cloudTrailLimiter, usage: AWSUsageCounter(), logger: logger),
                settings: settings.activity, logger: logger, now: now),
            CostsCollector(
                costExplorer: CostExplorerClient(client: client, usage: AWSUsageCounter(), budgets: budgets, logger: logger),
                settings: settings.costs, logger: logger, now: now),
            SecurityCollector(
                client: SecurityHubClient(client: client, usage: AWSUsageCounter(), budgets: budgets, logger: logger),
                settings: settings.security, logger: logger, now: now),
            HealthCollector(
                client: HealthClient(client: client, usage: AWSUsageCounter(), budgets: budgets, logger: logger),
                settings: settings.health, logger: logger, now: now),
        ]
    }
}

extension AWSError: PollErrorDescribing {
    /// `operation|code` for the worker's error metrics.
    public var pollErrorKey: String {
        let cause = StreamHealth.cause(of: self)
        return "\(cause.operation ?? "unknown")|\(cause.code ?? cause.kind.description)"
    }
}
