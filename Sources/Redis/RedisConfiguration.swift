import AsyncPrimitives
import Logging

/// Where and how to connect to Redis. Every field has a default that reaches a local server.
///
/// Build one with ``init(url:)`` from `redis://[user[:password]@]host[:port][/db]` or
/// `rediss://...` for TLS, or with ``init(environment:)`` from a dictionary of environment
/// variables that the executable reads once. The description never shows the password.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// ACL user name; `nil` authenticates as `default` when a password is set.
    public var username: String?
    /// Password for AUTH / HELLO AUTH. Never logged, never in a description or error.
    public var password: String?
    /// Database number for SELECT; 0 sends no SELECT.
    public var database: Int
    /// Sent as the connection name (HELLO SETNAME or CLIENT SETNAME); `nil` sends none.
    public var clientName: String?
    public var tls: TLS
    public var protocolVersion: ProtocolVersion
    public var timeouts: Timeouts
    public var reconnect: Reconnect
    public var limits: Limits
    /// Single node, Redis Cluster, or detect (see ``Cluster``).
    public var cluster: Cluster

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clientName: String? = nil,
        tls: TLS = .disabled,
        protocolVersion: ProtocolVersion = .automatic,
        timeouts: Timeouts = Timeouts(),
        reconnect: Reconnect = Reconnect(),
        limits: Limits = Limits(),
        cluster: Cluster = .disabled
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.tls = tls
        self.protocolVersion = protocolVersion
        self.timeouts = timeouts
        self.reconnect = reconnect
        self.limits = limits
        self.cluster = cluster
    }
}

extension RedisConfiguration {
    /// TLS for `rediss://`. The server certificate is always verified.
    public struct TLS: Sendable, Hashable {
        fileprivate enum Mode: Sendable, Hashable {
            case disabled
            case enabled(caFile: String?, serverName: String?)
        }

        fileprivate var mode: Mode

        /// Plain TCP.
        public static let disabled = TLS(mode: .disabled)

        /// TLS verified against `caFile` (PEM), or the system trust store when `nil`.
        /// `serverName` overrides the name checked against the certificate and sent as SNI;
        /// by default it is the host (an IP address host is checked against the IP SANs).
        public static func enabled(caFile: String? = nil, serverName: String? = nil) -> TLS {
            TLS(mode: .enabled(caFile: caFile, serverName: serverName))
        }

        public var isEnabled: Bool {
            if case .enabled = self.mode { return true }
            return false
        }

        public var caFile: String? {
            if case .enabled(let caFile, _) = self.mode { return caFile }
            return nil
        }

        public var serverName: String? {
            if case .enabled(_, let serverName) = self.mode { return serverName }
            return nil
        }
    }

    /// Which RESP version to speak.
    public struct ProtocolVersion: Sendable, Hashable {
        fileprivate enum Value: Sendable, Hashable {
            case automatic, resp2
        }

        fileprivate var value: Value

        /// `HELLO 3`, and RESP2 with AUTH if the server does not know HELLO (Redis before 6).
        public static let automatic = ProtocolVersion(value: .automatic)
        /// RESP2 only: AUTH and CLIENT SETNAME, no HELLO.
        public static let resp2 = ProtocolVersion(value: .resp2)

        var isResp2Only: Bool { self.value == .resp2 }
    }

    public struct Timeouts: Sendable, Hashable {
        /// TCP connect, TLS handshake and the HELLO/AUTH/SELECT handshake together.
        public var connect: Duration
        /// From writing a command to its reply; the command then fails with `.commandTimeout`.
        public var command: Duration

        public init(connect: Duration = .seconds(5), command: Duration = .seconds(10)) {
            self.connect = connect
            self.command = command
        }
    }

    /// Reconnection backoff: `initialDelay * multiplier^attempt`, clamped to `maxDelay`, then
    /// scaled by a random factor in `[1 - jitter, 1]` so that many clients do not reconnect in step.
    public struct Reconnect: Sendable, Hashable {
        public var initialDelay: Duration
        public var maxDelay: Duration
        public var multiplier: Double
        /// Fraction of the delay that is random, clamped to 0...1.
        public var jitter: Double

        public init(
            initialDelay: Duration = .milliseconds(100),
            maxDelay: Duration = .seconds(10),
            multiplier: Double = 2,
            jitter: Double = 0.5
        ) {
            self.initialDelay = initialDelay
            self.maxDelay = maxDelay
            self.multiplier = multiplier
            self.jitter = jitter
        }

        /// The policy as the process's one backoff.
        public var backoff: ExponentialBackoff {
            ExponentialBackoff(initial: initialDelay, maximum: maxDelay, multiplier: multiplier, jitter: jitter)
        }
    }

    public struct Limits: Sendable, Hashable {
        /// Commands written and not yet answered on one connection; one more fails at once with
        /// `.tooManyPendingCommands`.
        public var maxPendingCommands: Int
        /// Channels plus patterns one subscriber may hold.
        public var maxSubscriptions: Int
        /// Pub/sub events buffered for a slow consumer before the oldest are dropped.
        public var subscriberBufferSize: Int
        /// Bounds on every decoded reply.
        public var reply: RESPDecoderLimits

        public init(
            maxPendingCommands: Int = 10_000,
            maxSubscriptions: Int = 10_000,
            subscriberBufferSize: Int = 10_000,
            reply: RESPDecoderLimits = RESPDecoderLimits()
        ) {
            self.maxPendingCommands = maxPendingCommands
            self.maxSubscriptions = maxSubscriptions
            self.subscriberBufferSize = subscriberBufferSize
            self.reply = reply
        }
    }
}

extension RedisConfiguration {
    /// Whether the server is one node (or a primary with replicas behind one endpoint) or a Redis
    /// Cluster (ElastiCache cluster mode, ElastiCache Serverless), whose keys are spread over
    /// 16,384 hash slots served by several primaries.
    public struct Cluster: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable, Hashable {
            case disabled, enabled, automatic
        }

        fileprivate var value: Value

        /// One node: commands go to the configured endpoint.
        public static let disabled = Cluster(value: .disabled)
        /// A cluster: the configured endpoint is a seed (any node, or a configuration endpoint);
        /// the client discovers the others and routes each command by its key's slot.
        public static let enabled = Cluster(value: .enabled)
        /// Ask the server at start (`INFO cluster` answering `cluster_enabled:1`).
        public static let automatic = Cluster(value: .automatic)

        public var isEnabled: Bool { self.value == .enabled }
        public var isAutomatic: Bool { self.value == .automatic }
        public var isDisabled: Bool { self.value == .disabled }

        public var description: String {
            switch self.value {
            case .disabled: "false"
            case .enabled: "true"
            case .automatic: "auto"
            }
        }

        /// Reads `true`/`false`/`auto` (also `yes`/`no`/`1`/`0`, any case).
        public init?(_ text: String) {
            switch text.lowercased() {
            case "true", "yes", "1", "on": self = .enabled
            case "false", "no", "0", "off": self = .disabled
            case "auto", "automatic", "detect": self = .automatic
            default: return nil
            }
        }

        private init(value: Value) { self.value = value }
    }

    /// This configuration aimed at one node of a cluster: its address, no database (a cluster has
    /// only database 0), and the server name checked against its certificate left to that node's
    /// host unless one was configured.
    public func node(_ address: RedisClusterNodeAddress) -> RedisConfiguration {
        var configuration = self
        configuration.host = address.host
        configuration.port = address.port
        configuration.database = 0
        return configuration
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// `rediss://user:***@host:port/db`: the password is never shown.
    public var description: String {
        var text = self.tls.isEnabled ? "rediss" : "redis"
        text += self.cluster.isEnabled ? "+cluster://" : "://"
        if self.username != nil || self.password != nil {
            text += self.username ?? ""
            if self.password != nil { text += ":***" }
            text += "@"
        }
        text += self.host.contains(":") ? "[\(self.host)]" : self.host
        text += ":\(self.port)"
        if self.database != 0 { text += "/\(self.database)" }
        return text
    }

    /// `host:port`, for log metadata and error messages.
    var endpointDescription: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    /// `logger` with the server it talks to as `redis.host`.
    func logging(to logger: Logger) -> Logger {
        var logger = logger
        logger[metadataKey: "redis.host"] = "\(self.endpointDescription)"
        return logger
    }
}
