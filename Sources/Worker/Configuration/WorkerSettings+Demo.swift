import Payloads

extension WorkerSettings {
    /// How often each stream is polled in a demo run: short, so a first run shows every stream
    /// within seconds. (Against real AWS these would waste calls and money: see DESIGN.md.)
    public static let demoIntervals: [StreamName: Duration] = [
        .metrics: .seconds(10), .logs: .seconds(5), .activity: .seconds(10), .costs: .seconds(15),
        .security: .seconds(10), .health: .seconds(15),
    ]

    /// The log groups the demo follows when the configuration names none.
    public static let demoLogGroups = ["/aws/lambda/orders-api", "/ecs/shop-web"]

    /// These settings for a demo run on the bundled captures (`standalone` without AWS
    /// credentials): every stream at ``demoIntervals`` (kept warm every minute), new metrics
    /// discovered at a ten-second period read as soon as it ends, no daily cap on the (local,
    /// free) Cost Explorer answers and ``demoLogGroups`` when no log group is configured.
    /// Everything else (which streams are enabled, filters, grouping, the file's `targets`, lease,
    /// history) stays as configured: the demo answers each account's `AssumeRole` and every
    /// request in the account and Region it was signed for, so a file with `targets` shows them
    /// all.
    public func forDemo() -> WorkerSettings {
        var settings = self
        for (stream, interval) in Self.demoIntervals {
            settings.worker.streams[stream] = WorkerConfiguration.Stream(
                isEnabled: worker.stream(stream).isEnabled, interval: interval, keepWarmInterval: .seconds(60))
        }
        settings.streams.metrics.discoveryPeriod = 10
        settings.streams.metrics.settleDelay = .zero
        settings.streams.costs.maxRequestsPerDay = 1_000_000
        if settings.streams.logs.logGroups.isEmpty { settings.streams.logs.logGroups = Self.demoLogGroups }
        return settings
    }
}
