import Payloads

/// How the worker runs. Every field has a default that serves a first run.
public struct WorkerConfiguration: Sendable {
    public struct Lease: Sendable {
        /// How long a lease lasts without renewal; a standby takes over within this after the
        /// leader dies.
        public var ttl: Duration
        /// How often the holder renews.
        public var renewInterval: Duration
        /// How often a standby tries to take the lease (at most `renewInterval`): a lease released
        /// on graceful shutdown is taken within this. Two cheap commands a try.
        public var standbyRetryInterval: Duration

        public init(
            ttl: Duration = .seconds(15), renewInterval: Duration? = nil, standbyRetryInterval: Duration = .milliseconds(500)
        ) {
            self.ttl = ttl
            self.renewInterval = renewInterval ?? ttl / 3
            self.standbyRetryInterval = min(standbyRetryInterval, self.renewInterval)
        }
    }

    public struct Stream: Sendable {
        public var isEnabled: Bool
        /// How often the stream is polled while someone watches. For `aws-metrics` the reads
        /// follow each series' period instead (``MetricsCollector``); this is then the period
        /// readiness expects of it.
        public var interval: Duration
        /// How often the stream is polled while nobody watches, so a new subscriber's snapshot is
        /// never older than this; nil: not at all while nobody watches (the default of the billed
        /// streams, `aws-metrics` and `aws-costs`: a first client makes one read at once when the
        /// history is older than the stream's period).
        public var keepWarmInterval: Duration?

        public init(isEnabled: Bool = true, interval: Duration, keepWarmInterval: Duration?) {
            self.isEnabled = isEnabled
            self.interval = interval
            self.keepWarmInterval = keepWarmInterval.map { max(interval, $0) }
        }

        /// The defaults of DESIGN.md's streams table.
        public static func defaults(for stream: StreamName) -> Stream {
            switch stream {
            case .metrics: Stream(interval: .seconds(300), keepWarmInterval: nil)
            case .logs: Stream(interval: .seconds(10), keepWarmInterval: .seconds(300))
            case .activity: Stream(interval: .seconds(60), keepWarmInterval: .seconds(900))
            case .costs: Stream(interval: .seconds(12 * 3600), keepWarmInterval: nil)
            case .security: Stream(interval: .seconds(60), keepWarmInterval: .seconds(900))
            default: Stream(interval: .seconds(300), keepWarmInterval: .seconds(900))
            }
        }
    }

    public struct Demand: Sendable {
        private enum Mode: Sendable { case listeners, always }
        private let mode: Mode

        /// Poll a stream only while someone listens (and at its keep-warm interval otherwise).
        public static let whileWatched = Demand(mode: .listeners)
        /// Poll every stream at its interval whatever the demand.
        public static let always = Demand(mode: .always)

        public var isDemandDriven: Bool { mode == .listeners }
    }

    /// The AWS account and region stamped on every envelope.
    public var account: String
    public var region: String
    public var lease: Lease
    public var streams: [StreamName: Stream]
    public var demand: Demand
    /// The leader publishes a heartbeat on every enabled stream at least this often.
    public var heartbeatInterval: Duration
    /// Batches kept per stream while the bus is unreachable (oldest dropped first).
    public var outageBufferCapacity: Int
    /// Random extra delay before each poll, as a fraction of the interval, so that workers and
    /// streams do not poll in lockstep.
    public var jitter: Double
    /// An optional daily AWS spend budget in dollars: the billed streams' intervals are stretched
    /// to stay under it, each by what it actually costs (free streams never are).
    public var dailySpendBudget: Double?
    /// How often a stream that AWS refuses to this account (`unavailable`: no subscription,
    /// access denied, not enabled) is tried again.
    public var unavailableRetryInterval: Duration
    /// How often a poll loop waiting for its next poll looks whether someone started watching.
    public var demandCheckInterval: Duration

    public init(
        account: String = "unknown", region: String = "unknown", lease: Lease = Lease(),
        streams: [StreamName: Stream] = Dictionary(
            uniqueKeysWithValues: StreamName.allCases.map { ($0, Stream.defaults(for: $0)) }),
        demand: Demand = .whileWatched, heartbeatInterval: Duration = .seconds(15), outageBufferCapacity: Int = 100,
        jitter: Double = 0.1, dailySpendBudget: Double? = nil, unavailableRetryInterval: Duration = .seconds(3600),
        demandCheckInterval: Duration = .seconds(2)
    ) {
        self.account = account
        self.region = region
        self.lease = lease
        self.streams = streams
        self.demand = demand
        self.heartbeatInterval = heartbeatInterval
        self.outageBufferCapacity = outageBufferCapacity
        self.jitter = jitter
        self.dailySpendBudget = dailySpendBudget
        self.unavailableRetryInterval = unavailableRetryInterval
        self.demandCheckInterval = demandCheckInterval
    }

    public func stream(_ name: StreamName) -> Stream {
        streams[name] ?? Stream.defaults(for: name)
    }
}
