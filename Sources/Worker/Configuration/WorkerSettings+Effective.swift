import AWSServices
import Bus
import Payloads
import SocketIOEmitter
import TextFormats

extension WorkerSettings {
    /// The effective configuration as YAML, every default filled in, in the file's own keys:
    /// what `aws-realtime worker --check-config` prints. It holds no secret (the worker's file
    /// has none; the executable prints the Redis URL with its password redacted).
    public var effectiveYAML: String {
        let format = ConfigurationNode.format
        var lines = [
            "account: \(Self.quoted(worker.account))",
            "keyPrefix: \(Self.quoted(keyPrefix))",
            "redisCluster: \(redisCluster.map { "\($0)" } ?? "null")",
            "historyLength: \(historyLength)",
            "lease:",
            "  ttl: \(format(worker.lease.ttl))",
            "  renewInterval: \(format(worker.lease.renewInterval))",
            "demand: \(worker.demand.isDemandDriven ? "whileWatched" : "always")",
            "heartbeatInterval: \(format(worker.heartbeatInterval))",
            "outageBufferCapacity: \(worker.outageBufferCapacity)",
            "jitter: \(worker.jitter)",
            "dailySpendBudget: \(worker.dailySpendBudget.map { "\($0)" } ?? "null")",
            "unavailableRetryInterval: \(format(worker.unavailableRetryInterval))",
            "rateBudgets:",
        ]
        let budgets = effectiveRateBudgets
        for api in AWSRateBudgetAPI.allCases { lines.append("  \(api.rawValue): \(budgets[api] ?? api.defaultCallsPerSecond)") }
        lines += [
            "socketIOEmitter:", "  enabled: \(socketIOEmitter.isEnabled)", "  key: \(Self.quoted(socketIOEmitter.key))",
            "  namespace: \(Self.quoted(socketIOEmitter.namespace))",
        ]
        lines += targetLines
        lines.append("streams:")
        for stream in StreamName.allCases {
            let common = worker.stream(stream)
            lines += [
                "  \(stream.rawValue):", "    enabled: \(common.isEnabled)", "    interval: \(format(common.interval))",
                "    keepWarm: \(common.keepWarmInterval.map(format) ?? "off")",
            ]
            switch stream {
            case .metrics:
                let metrics = streams.metrics
                lines.append("    metrics:" + (metrics.metrics.isEmpty ? " []" : ""))
                for metric in metrics.metrics {
                    lines += ["      - namespace: \(Self.quoted(metric.namespace))", "        name: \(Self.quoted(metric.name))"]
                    lines.append(
                        "        dimensions: {"
                            + metric.dimensions.sorted { $0.key < $1.key }.map {
                                "\(Self.quoted($0.key)): \(Self.quoted($0.value))"
                            }.joined(separator: ", ") + "}")
                    lines += ["        statistic: \(metric.statistic)", "        period: \(metric.period)"]
                }
                lines.append("    settleDelay: \(format(metrics.settleDelay))")
                lines += [
                    "    discovery:", "      namespaces: \(Self.list(metrics.discoveryNamespaces))",
                    "      maxSeries: \(metrics.maxSeries)",
                    "      interval: \(format(metrics.discoveryInterval))", "      period: \(metrics.discoveryPeriod)",
                    "      windowPeriods: \(metrics.windowPeriods)",
                    "      includeLinkedAccounts: \(metrics.includeLinkedAccounts)",
                ]
            case .logs:
                let logs = streams.logs
                lines +=
                    [
                        "    logGroups: \(Self.list(logs.logGroups))",
                        "    filterPattern: \(logs.filterPattern.map(Self.quoted) ?? "null")",
                        "    initialLookback: \(format(logs.initialLookback))", "    maxEventsPerPoll: \(logs.maxEventsPerPoll)",
                    ] + Self.window(logs.window)
            case .activity:
                let activity = streams.activity
                lines +=
                    [
                        "    initialLookback: \(format(activity.initialLookback))",
                        "    maxEventsPerPoll: \(activity.maxEventsPerPoll)",
                    ] + Self.window(activity.window)
            case .costs:
                let costs = streams.costs
                lines += [
                    "    groupBy: \(Self.quoted(costs.groupBy))", "    metric: \(costs.metric)",
                    "    forecast: \(costs.includeForecast)", "    maxRequestsPerDay: \(costs.maxRequestsPerDay)",
                    "    perLinkedAccount: \(costs.perLinkedAccount)",
                ]
            case .security:
                let security = streams.security
                lines +=
                    [
                        "    recordStates: \(Self.list(security.recordStates))",
                        "    severityLabels: \(Self.list(security.severityLabels))",
                        "    workflowStatuses: \(Self.list(security.workflowStatuses))",
                        "    initialLookback: \(format(security.initialLookback))",
                        "    maxFindingsPerPoll: \(security.maxFindingsPerPoll)",
                    ] + Self.window(security.window)
            default:
                lines +=
                    [
                        "    initialLookback: \(format(streams.health.initialLookback))",
                        "    maxEventsPerPoll: \(streams.health.maxEventsPerPoll)",
                        "    organizationView: \(streams.health.organizationView)",
                    ] + Self.window(streams.health.window)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `targets`, when configured: every account with its effective Regions and session settings.
    var targetLines: [String] {
        guard targets.isConfigured else { return ["targets: null"] }
        var lines = ["targets:", "  regions: \(Self.list(targets.regions))", "  accounts:"]
        for account in targets.accounts {
            lines.append("    - id: \(Self.quoted(account.id))")
            lines.append("      roleArn: \(account.roleARN.map(Self.quoted) ?? "null")")
            if account.roleARN != nil {
                lines.append("      externalId: \(account.externalID.map(Self.quoted) ?? "null")")
                lines.append("      sessionName: \(Self.quoted(account.sessionName))")
                lines.append("      duration: \(account.duration.map(ConfigurationNode.format) ?? "null")")
            }
            lines.append("      regions: \(Self.list(account.regions))")
        }
        return lines
    }

    static func window(_ window: IncrementalWindow) -> [String] {
        ["    overlap: \(ConfigurationNode.format(window.overlap))", "    seenLimit: \(window.seenLimit)"]
    }

    /// A YAML double-quoted scalar (a JSON string literal is one).
    static func quoted(_ text: String) -> String { JSONString.literal(text) }

    static func list(_ items: [String]) -> String {
        "[" + items.map(quoted).joined(separator: ", ") + "]"
    }
}
