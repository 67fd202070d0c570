/// Everything the gateway can be told, with a default for every field that serves a first run.
///
/// Read once, in the executable (`GatewayCommand`), from arguments and the environment.
public struct GatewayConfiguration: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on; 0 picks a free one (tests).
    public var port: Int
    public var auth: Auth
    public var allowedOrigins: AllowedOrigins
    /// Which `Host` names requests may carry (see ``AllowedHosts``).
    public var allowedHosts: AllowedHosts
    public var limits: Limits
    /// How often the worker publishes heartbeat envelopes on a watched stream. A subscribed stream
    /// silent for three intervals is treated as a dead subscription: resubscribed and recovered.
    public var busHeartbeatInterval: Duration
    /// How often SSE connections get a comment line, so proxies keep them open.
    public var sseHeartbeatInterval: Duration
    /// How long a graceful shutdown waits for sockets to close after "going away".
    public var drainTimeout: Duration
    /// The Socket.IO endpoint at `/socket.io/`.
    public var socketIO: SocketIO
    /// Serve the live page at `GET /` (`GATEWAY_LIVE_PAGE=false` turns it off; `/ws` and `/events` stay).
    public var isLivePageEnabled: Bool

    public init(
        host: String = "0.0.0.0",
        port: Int = 8080,
        auth: Auth = .init(),
        allowedOrigins: AllowedOrigins = .list([]),
        allowedHosts: AllowedHosts = .any,
        limits: Limits = .init(),
        busHeartbeatInterval: Duration = .seconds(15),
        sseHeartbeatInterval: Duration = .seconds(15),
        drainTimeout: Duration = .seconds(10),
        socketIO: SocketIO = .init(),
        isLivePageEnabled: Bool = true
    ) {
        self.host = host
        self.port = port
        self.auth = auth
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = allowedHosts
        self.limits = limits
        self.busHeartbeatInterval = busHeartbeatInterval
        self.sseHeartbeatInterval = sseHeartbeatInterval
        self.drainTimeout = drainTimeout
        self.isLivePageEnabled = isLivePageEnabled
        self.socketIO = socketIO
    }

    /// Engine.IO v4 settings of the Socket.IO endpoint; the defaults are the reference server's,
    /// except `maxPayload` (our clients send small events).
    public struct SocketIO: Sendable {
        /// Serve `/socket.io/` at all.
        public var isEnabled: Bool
        /// The server sends an Engine.IO ping this often (`pingInterval` of the open packet).
        public var pingInterval: Duration
        /// A session whose client does not answer a ping within this is closed (`pingTimeout`).
        public var pingTimeout: Duration
        /// Largest HTTP long-polling request body, and largest response batch (`maxPayload`).
        public var maxPayload: Int
        /// A session that connects to no namespace within this is closed (Socket.IO's
        /// `connectTimeout`, 45 s in the reference server; shorter here, since until then the
        /// session is unauthenticated and holds a pending-handshake slot).
        public var connectTimeout: Duration
        /// An upgrade to WebSocket that does not complete within this is abandoned (the session stays on polling).
        public var upgradeTimeout: Duration

        public init(
            isEnabled: Bool = true,
            pingInterval: Duration = .seconds(25),
            pingTimeout: Duration = .seconds(20),
            maxPayload: Int = 65_536,
            connectTimeout: Duration = .seconds(10),
            upgradeTimeout: Duration = .seconds(10)
        ) {
            self.isEnabled = isEnabled
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
            self.maxPayload = maxPayload
            self.connectTimeout = connectTimeout
            self.upgradeTimeout = upgradeTimeout
        }
    }

    /// Bounds on what one process and one client may cost.
    public struct Limits: Sendable {
        /// Open authenticated connections per process (WebSocket, SSE, and Socket.IO sessions
        /// connected to the namespace); more are refused with 503.
        public var maxConnections: Int
        /// Engine.IO sessions waiting for their namespace CONNECT (not yet authenticated), per
        /// process. They do not count against `maxConnections`; a handshake over this budget is
        /// refused with 403 `{"code":4}`, as the reference server refuses one.
        public var maxPendingHandshakes: Int
        /// The same, per client address (an IPv6 client's /64). Behind a proxy every client has
        /// the proxy's address: raise it there.
        public var maxPendingHandshakesPerAddress: Int
        /// Streams one connection may subscribe at once.
        public var maxSubscriptionsPerConnection: Int
        /// Largest inbound WebSocket frame (and message) in bytes; bigger closes with 1009.
        public var maxInboundFrameBytes: Int
        /// Inbound messages per second a client may send (token bucket, burst = 2 x rate).
        public var inboundMessagesPerSecond: Int
        /// Messages waiting for one socket (queued + not yet written to the kernel) before it is cut.
        public var maxQueuedMessages: Int
        /// Bytes waiting for one socket before it is cut.
        public var maxQueuedBytes: Int
        /// WebSocket ping period; a client that does not answer within it is closed.
        public var pingInterval: Duration
        /// Messages a resuming client (`since`, `Last-Event-ID`) may be sent from history per stream,
        /// fed as its socket drains (never more than half its queue at once); beyond that it is
        /// told to resync and goes on from the latest message.
        public var maxResumeMessages: Int
        /// Messages the hub reads back from history after a bus gap, per stream.
        public var maxRecoveryMessages: Int
        /// The newest entries of a stream read for a new subscriber's snapshot (the latest data
        /// and state of each account and region among them): at least the number of (account,
        /// region) targets a stream carries, with room for their state changes.
        public var snapshotScanEntries: Int
        /// How long the hub keeps retrying a failed history read after a gap before it tells the
        /// stream's subscribers to resync (live messages wait meanwhile, so none jumps the gap).
        public var recoveryTimeout: Duration
        /// How long a subscribe waits for the bus to confirm.
        public var subscribeTimeout: Duration
        /// A connection whose first request head is not complete within this is closed (spare
        /// connections browsers open and never use, slow clients). On graceful shutdown one that
        /// sent nothing is closed at once.
        public var requestHeadTimeout: Duration
        /// A kept-alive HTTP connection idle this long between requests is closed (a response in
        /// progress, an SSE stream or a long poll, is not idle). Keep it above the load
        /// balancer's idle timeout (60 s on an ALB), so the balancer never reuses a connection
        /// the gateway is closing.
        public var keepAliveIdleTimeout: Duration

        public init(
            maxConnections: Int = 10_000,
            maxPendingHandshakes: Int = 1024,
            maxPendingHandshakesPerAddress: Int = 64,
            maxSubscriptionsPerConnection: Int = 6,
            maxInboundFrameBytes: Int = 4096,
            inboundMessagesPerSecond: Int = 20,
            maxQueuedMessages: Int = 256,
            maxQueuedBytes: Int = 1 << 20,
            pingInterval: Duration = .seconds(30),
            maxResumeMessages: Int = 10_000,
            maxRecoveryMessages: Int = 10_000,
            snapshotScanEntries: Int = 100,
            recoveryTimeout: Duration = .seconds(30),
            subscribeTimeout: Duration = .seconds(10),
            requestHeadTimeout: Duration = .seconds(30),
            keepAliveIdleTimeout: Duration = .seconds(75)
        ) {
            self.maxConnections = maxConnections
            self.maxPendingHandshakes = maxPendingHandshakes
            self.maxPendingHandshakesPerAddress = maxPendingHandshakesPerAddress
            self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
            self.maxInboundFrameBytes = maxInboundFrameBytes
            self.inboundMessagesPerSecond = inboundMessagesPerSecond
            self.maxQueuedMessages = maxQueuedMessages
            self.maxQueuedBytes = maxQueuedBytes
            self.pingInterval = pingInterval
            self.maxResumeMessages = maxResumeMessages
            self.maxRecoveryMessages = maxRecoveryMessages
            self.snapshotScanEntries = snapshotScanEntries
            self.recoveryTimeout = recoveryTimeout
            self.subscribeTimeout = subscribeTimeout
            self.requestHeadTimeout = requestHeadTimeout
            self.keepAliveIdleTimeout = keepAliveIdleTimeout
        }
    }

    /// How clients prove who they are: a JWT whose `streams` claim lists what they may read.
    public struct Auth: Sendable {
        public var mode: Mode
        /// Refuse tokens without `exp`.
        public var requiresExpiration: Bool
        /// Tolerance for `exp` and `nbf`.
        public var leeway: Duration
        /// When set, a token's `aud` (a string or a list) must contain it: a token the same key
        /// signed for another service is refused.
        public var audience: String?
        /// When set, a token's `iss` must equal it.
        public var issuer: String?

        public init(
            mode: Mode = .required(.none), requiresExpiration: Bool = true, leeway: Duration = .seconds(5),
            audience: String? = nil, issuer: String? = nil
        ) {
            self.mode = mode
            self.requiresExpiration = requiresExpiration
            self.leeway = leeway
            self.audience = audience
            self.issuer = issuer
        }

        public struct Mode: Sendable {
            enum Backing: Sendable {
                case anonymous
                case required(Key?)
            }
            let backing: Backing

            /// No token needed: every client may read every stream (`--allow-anonymous`).
            public static var anonymous: Mode { Mode(backing: .anonymous) }
            /// A token verified with `key` is required.
            public static func required(_ key: Key?) -> Mode { Mode(backing: .required(key)) }

            public var isAnonymous: Bool {
                if case .anonymous = backing { return true }
                return false
            }
        }

        /// The key tokens are verified with. Its description, debug description and mirror name
        /// the algorithm and where the key came from, never the key's bytes.
        public struct Key: Sendable {
            enum Backing: Sendable {
                case hs256(secret: [UInt8], configKey: String)
                case rs256(pem: String, configKey: String)
                case es256(pem: String, configKey: String)
            }
            let backing: Backing

            /// An HMAC secret of at least 32 bytes; `configKey` names where it came from in errors.
            public static func hs256(secret: some Collection<UInt8>, configKey: String = "GATEWAY_JWT_SECRET") -> Key {
                Key(backing: .hs256(secret: Array(secret), configKey: configKey))
            }

            /// An RSA public key in PEM.
            public static func rs256(publicKeyPEM: String, configKey: String = "GATEWAY_JWT_PUBLIC_KEY_FILE") -> Key {
                Key(backing: .rs256(pem: publicKeyPEM, configKey: configKey))
            }

            /// A P-256 public key in PEM.
            public static func es256(publicKeyPEM: String, configKey: String = "GATEWAY_JWT_PUBLIC_KEY_FILE") -> Key {
                Key(backing: .es256(pem: publicKeyPEM, configKey: configKey))
            }
        }
    }

    /// Which `Host` names the gateway answers; others get 421 Misdirected Request (DNS rebinding
    /// protection). `localhost`, loopback literals and the configured address are always
    /// answered. With `.any`, a gateway serving without a token on a loopback address still
    /// checks (only those names); any other gateway answers every `Host`.
    public struct AllowedHosts: Sendable {
        enum Backing: Sendable {
            case any
            case list(Set<String>)
        }
        let backing: Backing

        public static var any: AllowedHosts { AllowedHosts(backing: .any) }
        /// These host names (`gateway.example.com`; a port, if given, is ignored), besides the
        /// always-answered ones.
        public static func list(_ hosts: [String]) -> AllowedHosts {
            AllowedHosts(backing: .list(Set(hosts.compactMap { HostPolicy.hostName($0) })))
        }
    }

    /// Which browser origins may connect. Requests without an `Origin` header (non-browser
    /// clients) are not affected; an `Origin` equal to the request's own host is always allowed
    /// (the live page the gateway serves itself). With DNS rebinding an attacker controls that
    /// host, so the `Host` check (``AllowedHosts``) is what keeps a rebinding page out.
    public struct AllowedOrigins: Sendable {
        enum Backing: Sendable {
            case any
            case list(Set<String>)
        }
        let backing: Backing

        /// Any origin; refused at start-up unless auth is anonymous (no `*` with credentials).
        public static var any: AllowedOrigins { AllowedOrigins(backing: .any) }
        /// Exactly these origins (`https://app.example.com`, scheme and host and port as the browser sends them).
        public static func list(_ origins: [String]) -> AllowedOrigins {
            AllowedOrigins(backing: .list(Set(origins.map { $0.lowercased() })))
        }
    }
}
