import AWSServices
import Bus
import Foundation
import Payloads
import Redis
import SocketIOEmitter
import Yams

/// Everything the worker runs with, read from the optional YAML file: the worker's own
/// configuration, what each stream polls, and the Redis key prefix and history length.
public struct WorkerSettings: Sendable {
    public var worker = WorkerConfiguration()
    public var streams = StreamSettings()
    /// Prefix of every Redis key (`aws-realtime:`; `{aws-realtime}:` on a Redis Cluster).
    public var keyPrefix = "aws-realtime:"
    /// Whether Redis is a cluster (`redisCluster`: true, false or auto); `REDIS_CLUSTER` and a
    /// `redis+cluster://` URL override it; `nil` leaves the environment's choice.
    public var redisCluster: RedisConfiguration.Cluster?
    /// Messages kept per stream for recovery and snapshots.
    public var historyLength = 1000
    /// Calls per second allowed per AWS API (`rateBudgets` in the file); an API not named here
    /// keeps its default, AWS's documented quota (``AWSRateBudgetAPI/defaultCallsPerSecond``).
    public var rateBudgets: [AWSRateBudgetAPI: Double] = [:]
    /// Also publish every update in the `@socket.io/redis-emitter` format (`socketIOEmitter`).
    public var socketIOEmitter = SocketIOEmitterConfiguration()
    /// The AWS accounts and Regions polled (`targets`); none: the base chain in `AWS_REGION`.
    public var targets = WorkerTargets()

    public init() {}

    /// Reads a YAML configuration. Unknown keys and bad values are errors that name the key.
    public static func parse(yaml: String) throws(ConfigurationError) -> WorkerSettings {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(key: "(file)", reason: "not valid YAML: \(error)")
        }
        var settings = WorkerSettings()
        guard let root else { return settings }
        let top = try ConfigurationNode(node: root, path: "").mapping(allowed: [
            "account", "keyPrefix", "historyLength", "lease", "demand", "heartbeatInterval", "outageBufferCapacity", "jitter",
            "dailySpendBudget", "rateBudgets", "socketIOEmitter", "streams", "unavailableRetryInterval", "redisCluster",
            "targets",
        ])
        if let node = top["account"] { settings.worker.account = try node.string() }
        if let node = top["keyPrefix"] { settings.keyPrefix = try node.string() }
        if let node = top["redisCluster"], !node.isNull {
            let text = try node.string()
            guard let cluster = RedisConfiguration.Cluster(text) else {
                throw ConfigurationError(key: "redisCluster", reason: "expected true, false or auto, not \(text)")
            }
            settings.redisCluster = cluster
        }
        if let node = top["historyLength"] { settings.historyLength = try node.int(in: 10...1_000_000) }
        if let node = top["lease"] {
            let lease = try node.mapping(allowed: ["ttl", "renewInterval"])
            let ttl = try lease["ttl"]?.duration(in: .seconds(1)...(.seconds(300))) ?? settings.worker.lease.ttl
            let renew = try lease["renewInterval"]?.duration(in: .milliseconds(100)...(.seconds(100)))
            if let renew, renew >= ttl {
                throw ConfigurationError(
                    key: "lease.renewInterval", reason: "must be shorter than lease.ttl (\(ConfigurationNode.format(ttl)))")
            }
            settings.worker.lease = WorkerConfiguration.Lease(ttl: ttl, renewInterval: renew)
        }
        if let node = top["demand"] {
            switch try node.string() {
            case "whileWatched": settings.worker.demand = .whileWatched
            case "always": settings.worker.demand = .always
            default: throw ConfigurationError(key: "demand", reason: "expected whileWatched or always")
            }
        }
        if let node = top["heartbeatInterval"] {
            settings.worker.heartbeatInterval = try node.duration(in: .seconds(1)...(.seconds(300)))
        }
        if let node = top["outageBufferCapacity"] { settings.worker.outageBufferCapacity = try node.int(in: 1...100_000) }
        if let node = top["jitter"] { settings.worker.jitter = try node.double(in: 0...1) }
        if let node = top["dailySpendBudget"], !node.isNull {
            settings.worker.dailySpendBudget = try node.double(in: 0.01...1_000_000)
        }
        if let node = top["unavailableRetryInterval"] {
            settings.worker.unavailableRetryInterval = try node.duration(in: .seconds(60)...(.seconds(7 * 86_400)))
        }
        if let node = top["rateBudgets"] { try settings.readRateBudgets(node) }
        if let node = top["socketIOEmitter"] { settings.socketIOEmitter = try Self.socketIOEmitter(node) }
        if let node = top["targets"], !node.isNull { settings.targets = try Self.targets(node) }
        if let node = top["streams"] {
            for (name, streamNode) in try node.freeMapping() {
                guard let stream = StreamName(rawValue: name) else {
                    throw ConfigurationError(
                        key: streamNode.path,
                        reason: "unknown stream; expected one of \(StreamName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                try settings.readStream(stream, streamNode)
            }
        }
        return settings
    }

    private static let commonStreamKeys: Set<String> = ["enabled", "interval", "keepWarm"]

    private mutating func readStream(_ stream: StreamName, _ node: ConfigurationNode) throws(ConfigurationError) {
        let specific: Set<String> =
            switch stream {
            case .metrics: ["metrics", "discovery", "settleDelay"]
            case .logs: ["logGroups", "filterPattern", "initialLookback", "maxEventsPerPoll", "overlap", "seenLimit"]
            case .activity: ["initialLookback", "maxEventsPerPoll", "callsPerSecond", "overlap", "seenLimit"]
            case .costs: ["groupBy", "metric", "forecast", "maxRequestsPerDay", "perLinkedAccount"]
            case .security:
                [
                    "recordStates", "severityLabels", "workflowStatuses", "initialLookback", "maxFindingsPerPoll", "overlap",
                    "seenLimit",
                ]
            default: ["initialLookback", "maxEventsPerPoll", "overlap", "seenLimit", "organizationView"]
            }
        let members = try node.mapping(allowed: Self.commonStreamKeys.union(specific))
        var common = worker.stream(stream)
        if let value = members["enabled"] { common.isEnabled = try value.bool() }
        if let value = members["interval"] { common.interval = try value.duration(in: .seconds(1)...(.seconds(86_400))) }
        if let value = members["keepWarm"] {
            if value.isNull || (try? value.string()) == "off" {
                common.keepWarmInterval = nil
            } else {
                common.keepWarmInterval = try value.duration(in: .seconds(1)...(.seconds(7 * 86_400)))
            }
        }
        if let keepWarm = common.keepWarmInterval, keepWarm < common.interval {
            throw ConfigurationError(
                key: node.child("keepWarm"), reason: "must not be shorter than the stream's interval (or off)")
        }
        worker.streams[stream] = common

        let lookback: ClosedRange<Duration> = .seconds(1)...(.seconds(90 * 86_400))
        switch stream {
        case .metrics:
            try readMetrics(members)
        case .logs:
            if let value = members["logGroups"] { streams.logs.logGroups = try value.strings() }
            if let value = members["filterPattern"], !value.isNull { streams.logs.filterPattern = try value.string() }
            if let value = members["initialLookback"] { streams.logs.initialLookback = try value.duration(in: lookback) }
            if let value = members["maxEventsPerPoll"] { streams.logs.maxEventsPerPoll = try value.int(in: 1...1_000_000) }
            streams.logs.window = try Self.window(members, default: streams.logs.window)
        case .activity:
            if let value = members["initialLookback"] { streams.activity.initialLookback = try value.duration(in: lookback) }
            if let value = members["maxEventsPerPoll"] { streams.activity.maxEventsPerPoll = try value.int(in: 1...1_000_000) }
            streams.activity.window = try Self.window(members, default: streams.activity.window)
            // Kept for files written before `rateBudgets`: the LookupEvents budget.
            if let value = members["callsPerSecond"] {
                rateBudgets[.lookupEvents] = try value.double(in: 0.01...AWSRateBudgetAPI.lookupEvents.maximumCallsPerSecond)
            }
        case .costs:
            if let value = members["groupBy"] { streams.costs.groupBy = try Self.costGrouping(value) }
            if let value = members["metric"] {
                let metric = try value.string()
                guard ["UnblendedCost", "AmortizedCost", "BlendedCost", "NetUnblendedCost", "NetAmortizedCost"].contains(metric)
                else {
                    throw ConfigurationError(
                        key: value.path,
                        reason: "expected UnblendedCost, AmortizedCost, BlendedCost, NetUnblendedCost or NetAmortizedCost")
                }
                streams.costs.metric = metric
            }
            if let value = members["forecast"] { streams.costs.includeForecast = try value.bool() }
            if let value = members["maxRequestsPerDay"] { streams.costs.maxRequestsPerDay = try value.int(in: 1...1_000) }
            if let value = members["perLinkedAccount"] { streams.costs.perLinkedAccount = try value.bool() }
        case .security:
            if let value = members["recordStates"] { streams.security.recordStates = try value.strings() }
            if let value = members["severityLabels"] {
                let labels = try value.strings()
                let known: Set = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
                if let unknown = labels.first(where: { !known.contains($0) }) {
                    throw ConfigurationError(
                        key: value.path,
                        reason: "'\(unknown)' is not a severity label (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)")
                }
                streams.security.severityLabels = labels
            }
            if let value = members["workflowStatuses"] { streams.security.workflowStatuses = try value.strings() }
            if let value = members["initialLookback"] { streams.security.initialLookback = try value.duration(in: lookback) }
            if let value = members["maxFindingsPerPoll"] { streams.security.maxFindingsPerPoll = try value.int(in: 1...100_000) }
            streams.security.window = try Self.window(members, default: streams.security.window)
        default:
            if let value = members["initialLookback"] { streams.health.initialLookback = try value.duration(in: lookback) }
            if let value = members["maxEventsPerPoll"] { streams.health.maxEventsPerPoll = try value.int(in: 1...100_000) }
            streams.health.window = try Self.window(members, default: streams.health.window)
            if let value = members["organizationView"] { streams.health.organizationView = try value.bool() }
        }
    }

    /// An incremental stream's `overlap` (0 to 7 days) and `seenLimit` (100 to 100,000).
    private static func window(
        _ members: [String: ConfigurationNode], default window: IncrementalWindow
    ) throws(ConfigurationError) -> IncrementalWindow {
        var window = window
        if let value = members["overlap"] { window.overlap = try value.duration(in: .zero...(.seconds(7 * 86_400))) }
        if let value = members["seenLimit"] { window.seenLimit = try value.int(in: 100...100_000) }
        return window
    }

    private mutating func readRateBudgets(_ node: ConfigurationNode) throws(ConfigurationError) {
        let names = AWSRateBudgetAPI.allCases.map(\.rawValue)
        for (name, value) in try node.mapping(allowed: Set(names)) {
            guard let api = AWSRateBudgetAPI(rawValue: name) else { continue }
            let maximum = api.maximumCallsPerSecond
            guard let rate = Double(try value.string()), rate >= 0.01, rate <= maximum else {
                let quota =
                    maximum == api.defaultCallsPerSecond
                    ? "; AWS allows at most \(maximum) \(api.rawValue) calls per second per account and Region" : ""
                throw ConfigurationError(key: value.path, reason: "expected calls per second from 0.01 to \(maximum)" + quota)
            }
            rateBudgets[api] = rate
        }
    }

    /// The effective calls per second of every API's budget.
    public var effectiveRateBudgets: [AWSRateBudgetAPI: Double] {
        Dictionary(uniqueKeysWithValues: AWSRateBudgetAPI.allCases.map { ($0, rateBudgets[$0] ?? $0.defaultCallsPerSecond) })
    }

    private mutating func readMetrics(_ members: [String: ConfigurationNode]) throws(ConfigurationError) {
        if let value = members["settleDelay"] { streams.metrics.settleDelay = try value.duration(in: .zero...(.seconds(3600))) }
        if let list = members["metrics"] {
            var metrics: [MetricsSettings.Metric] = []
            for item in try list.sequence() {
                let fields = try item.mapping(allowed: ["namespace", "name", "dimensions", "statistic", "period"])
                guard let namespace = fields["namespace"], let name = fields["name"] else {
                    throw ConfigurationError(key: item.path, reason: "a metric needs a namespace and a name")
                }
                var metric = MetricsSettings.Metric(namespace: try namespace.string(), name: try name.string())
                if let dimensions = fields["dimensions"] {
                    for (key, value) in try dimensions.freeMapping() { metric.dimensions[key] = try value.string() }
                    if metric.dimensions.count > 30 {
                        throw ConfigurationError(key: dimensions.path, reason: "CloudWatch allows at most 30 dimensions")
                    }
                }
                if let statistic = fields["statistic"] { metric.statistic = try Self.statistic(statistic) }
                if let period = fields["period"] { metric.period = try Self.period(period) }
                metrics.append(metric)
            }
            streams.metrics.metrics = metrics
        }
        if let discovery = members["discovery"] {
            let fields = try discovery.mapping(allowed: [
                "namespaces", "maxSeries", "interval", "period", "windowPeriods", "includeLinkedAccounts",
            ])
            if let value = fields["namespaces"] { streams.metrics.discoveryNamespaces = try value.strings() }
            if let value = fields["maxSeries"] { streams.metrics.maxSeries = try value.int(in: 1...100_000) }
            if let value = fields["interval"] {
                streams.metrics.discoveryInterval = try value.duration(in: .seconds(60)...(.seconds(86_400)))
            }
            if let value = fields["period"] { streams.metrics.discoveryPeriod = try Self.period(value) }
            if let value = fields["windowPeriods"] { streams.metrics.windowPeriods = try value.int(in: 1...1440) }
            if let value = fields["includeLinkedAccounts"] { streams.metrics.includeLinkedAccounts = try value.bool() }
        }
    }

    private static func socketIOEmitter(_ node: ConfigurationNode) throws(ConfigurationError) -> SocketIOEmitterConfiguration {
        let fields = try node.mapping(allowed: ["enabled", "key", "namespace"])
        var emitter = SocketIOEmitterConfiguration()
        if let value = fields["enabled"] { emitter.isEnabled = try value.bool() }
        if let value = fields["key"] {
            emitter.key = try value.string()
            guard !emitter.key.isEmpty else {
                throw ConfigurationError(key: value.path, reason: "must not be empty (the adapter's default is socket.io)")
            }
        }
        if let value = fields["namespace"] {
            emitter.namespace = try value.string()
            guard emitter.namespace.hasPrefix("/") else {
                throw ConfigurationError(key: value.path, reason: "a Socket.IO namespace starts with '/', such as /aws-realtime")
            }
        }
        return emitter
    }

    private static func statistic(_ node: ConfigurationNode) throws(ConfigurationError) -> String {
        let value = try node.string()
        let simple: Set = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"]
        guard
            simple.contains(value)
                || value.range(of: #"^(p|tm|tc|ts|wm|PR|TM|TC|TS)\d+(\.\d+)?$"#, options: .regularExpression) != nil
        else {
            throw ConfigurationError(
                key: node.path, reason: "expected Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99")
        }
        return value
    }

    private static func period(_ node: ConfigurationNode) throws(ConfigurationError) -> Int {
        let value = try node.int(in: 1...86_400)
        guard [1, 5, 10, 30].contains(value) || value % 60 == 0 else {
            throw ConfigurationError(key: node.path, reason: "CloudWatch periods are 1, 5, 10, 30 or a multiple of 60 seconds")
        }
        return value
    }

    private static func costGrouping(_ node: ConfigurationNode) throws(ConfigurationError) -> String {
        let value = try node.string()
        let dimensions: Set = [
            "SERVICE", "LINKED_ACCOUNT", "REGION", "USAGE_TYPE", "INSTANCE_TYPE", "OPERATION", "PURCHASE_TYPE",
        ]
        guard dimensions.contains(value) || (value.hasPrefix("TAG:") && value.count > 4) else {
            throw ConfigurationError(
                key: node.path,
                reason:
                    "expected SERVICE, LINKED_ACCOUNT, REGION, USAGE_TYPE, INSTANCE_TYPE, OPERATION, PURCHASE_TYPE or TAG:<key>")
        }
        return value
    }
}
