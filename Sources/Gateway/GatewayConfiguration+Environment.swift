/// Reading the configuration from environment variables (the executable passes its environment;
/// nothing here reads the process environment itself).
extension GatewayConfiguration {
    /// The variables read, with what they mean; every one is optional.
    public static let environmentKeys: [(key: String, meaning: String)] = [
        ("GATEWAY_JWT_SECRET", "HS256 secret (at least 32 bytes)"),
        ("GATEWAY_JWT_PUBLIC_KEY_FILE", "RS256 or ES256 public key, PEM file"),
        ("GATEWAY_JWT_ALGORITHM", "RS256 or ES256 for the PEM file (default: RS256 if it parses as RSA, else ES256)"),
        ("GATEWAY_JWT_REQUIRE_EXP", "refuse tokens without exp (default true)"),
        ("GATEWAY_JWT_AUDIENCE", "when set, a token's aud (string or list) must contain it"),
        ("GATEWAY_JWT_ISSUER", "when set, a token's iss must equal it"),
        ("GATEWAY_ALLOWED_ORIGINS", "comma-separated browser origins, or * (anonymous only); same-origin always allowed"),
        (
            "GATEWAY_ALLOWED_HOSTS",
            "comma-separated Host names answered (others: 421); localhost and loopback literals always; "
                + "default: every Host, except that a token-less gateway on loopback answers only localhost/loopback"
        ),
        ("GATEWAY_MAX_CONNECTIONS", "open authenticated connections per process (default 10000)"),
        ("GATEWAY_MAX_PENDING_HANDSHAKES", "Socket.IO sessions not yet connected to the namespace, per process (default 1024)"),
        ("GATEWAY_MAX_PENDING_HANDSHAKES_PER_ADDRESS", "the same, per client address or IPv6 /64 (default 64)"),
        ("GATEWAY_MAX_SUBSCRIPTIONS", "subscriptions per connection (default 6)"),
        ("GATEWAY_MAX_FRAME_BYTES", "largest inbound frame (default 4096)"),
        ("GATEWAY_MAX_MESSAGES_PER_SECOND", "inbound messages per client per second (default 20)"),
        ("GATEWAY_QUEUE_MESSAGES", "outbound queue per socket, messages (default 256)"),
        ("GATEWAY_QUEUE_BYTES", "outbound queue per socket, bytes (default 1048576)"),
        ("GATEWAY_PING_INTERVAL_SECONDS", "WebSocket ping period; unanswered closes (default 30)"),
        ("GATEWAY_HEARTBEAT_INTERVAL_SECONDS", "worker heartbeat period; 3 missed = dead subscription (default 15)"),
        ("GATEWAY_SSE_HEARTBEAT_SECONDS", "SSE comment heartbeat (default 15)"),
        (
            "GATEWAY_MAX_RESUME_MESSAGES",
            "history a resuming client may be sent per stream, fed as its socket drains (default 10000)"
        ),
        (
            "GATEWAY_SNAPSHOT_SCAN_ENTRIES",
            "newest entries per stream read for a subscriber's snapshot, the latest of each account and region (default 100)"
        ),
        ("GATEWAY_DRAIN_TIMEOUT_SECONDS", "graceful shutdown wait for sockets (default 10)"),
        ("GATEWAY_REQUEST_HEAD_TIMEOUT_SECONDS", "a connection's first request head must arrive within (default 30)"),
        ("GATEWAY_KEEPALIVE_IDLE_SECONDS", "a kept-alive HTTP connection idle between requests is closed after (default 75)"),
        ("GATEWAY_SOCKETIO", "serve Socket.IO at /socket.io/ (default true)"),
        ("GATEWAY_SOCKETIO_PING_INTERVAL_MS", "Engine.IO pingInterval (default 25000)"),
        ("GATEWAY_SOCKETIO_PING_TIMEOUT_MS", "Engine.IO pingTimeout (default 20000)"),
        ("GATEWAY_SOCKETIO_MAX_PAYLOAD_BYTES", "Engine.IO maxPayload: largest long-polling body (default 65536)"),
        ("GATEWAY_SOCKETIO_CONNECT_TIMEOUT_MS", "a session not connected to the namespace within this is closed (default 10000)"),
        ("GATEWAY_LIVE_PAGE", "serve the live page at / (default true)"),
    ]

    /// The JWT key variables set in `environment` (`GATEWAY_JWT_SECRET`,
    /// `GATEWAY_JWT_PUBLIC_KEY_FILE`): a caller that serves anonymously anyway warns about them.
    public static func configuredKeyVariables(in environment: [String: String]) -> [String] {
        ["GATEWAY_JWT_SECRET", "GATEWAY_JWT_PUBLIC_KEY_FILE"].filter { !(environment[$0] ?? "").isEmpty }
    }

    /// The configuration from `environment`, on top of `base` (host, port, anonymous mode set by
    /// the caller). `readFile` reads the PEM file. Throws `GatewayError` naming the bad key.
    public static func fromEnvironment(
        _ environment: [String: String], base: GatewayConfiguration = .init(), allowAnonymous: Bool,
        readFile: (String) throws -> String
    ) throws -> GatewayConfiguration {
        var configuration = base
        func integer(_ key: String, minimum: Int = 1) throws -> Int? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            guard let value = Int(text), value >= minimum else {
                throw GatewayError.invalidConfiguration("'\(text)' is not a whole number >= \(minimum)", configKey: key)
            }
            return value
        }
        func seconds(_ key: String) throws -> Duration? { try integer(key).map { .seconds($0) } }
        func boolean(_ text: String, key: String) throws -> Bool {
            switch text.lowercased() {
            case "1", "true", "yes": return true
            case "0", "false", "no": return false
            default: throw GatewayError.invalidConfiguration("'\(text)' is not true or false", configKey: key)
            }
        }

        if let value = try integer("GATEWAY_MAX_CONNECTIONS") { configuration.limits.maxConnections = value }
        if let value = try integer("GATEWAY_MAX_PENDING_HANDSHAKES") { configuration.limits.maxPendingHandshakes = value }
        if let value = try integer("GATEWAY_MAX_PENDING_HANDSHAKES_PER_ADDRESS") {
            configuration.limits.maxPendingHandshakesPerAddress = value
        }
        if let value = try integer("GATEWAY_MAX_SUBSCRIPTIONS") { configuration.limits.maxSubscriptionsPerConnection = value }
        if let value = try integer("GATEWAY_MAX_FRAME_BYTES", minimum: 128) { configuration.limits.maxInboundFrameBytes = value }
        if let value = try integer("GATEWAY_MAX_MESSAGES_PER_SECOND") { configuration.limits.inboundMessagesPerSecond = value }
        if let value = try integer("GATEWAY_QUEUE_MESSAGES") { configuration.limits.maxQueuedMessages = value }
        if let value = try integer("GATEWAY_QUEUE_BYTES", minimum: 1024) { configuration.limits.maxQueuedBytes = value }
        if let value = try seconds("GATEWAY_PING_INTERVAL_SECONDS") { configuration.limits.pingInterval = value }
        if let value = try integer("GATEWAY_MAX_RESUME_MESSAGES") { configuration.limits.maxResumeMessages = value }
        if let value = try integer("GATEWAY_SNAPSHOT_SCAN_ENTRIES") {
            configuration.limits.snapshotScanEntries = min(value, 10_000)
        }
        if let value = try seconds("GATEWAY_HEARTBEAT_INTERVAL_SECONDS") { configuration.busHeartbeatInterval = value }
        if let value = try seconds("GATEWAY_SSE_HEARTBEAT_SECONDS") { configuration.sseHeartbeatInterval = value }
        if let value = try seconds("GATEWAY_DRAIN_TIMEOUT_SECONDS") { configuration.drainTimeout = value }
        if let value = try seconds("GATEWAY_REQUEST_HEAD_TIMEOUT_SECONDS") { configuration.limits.requestHeadTimeout = value }
        if let value = try seconds("GATEWAY_KEEPALIVE_IDLE_SECONDS") { configuration.limits.keepAliveIdleTimeout = value }
        if let value = try integer("GATEWAY_SOCKETIO_PING_INTERVAL_MS", minimum: 100) {
            configuration.socketIO.pingInterval = .milliseconds(value)
        }
        if let value = try integer("GATEWAY_SOCKETIO_PING_TIMEOUT_MS", minimum: 100) {
            configuration.socketIO.pingTimeout = .milliseconds(value)
        }
        if let value = try integer("GATEWAY_SOCKETIO_MAX_PAYLOAD_BYTES", minimum: 1024) {
            configuration.socketIO.maxPayload = value
        }
        if let value = try integer("GATEWAY_SOCKETIO_CONNECT_TIMEOUT_MS", minimum: 100) {
            configuration.socketIO.connectTimeout = .milliseconds(value)
        }
        if let text = environment["GATEWAY_SOCKETIO"], !text.isEmpty {
            configuration.socketIO.isEnabled = try boolean(text, key: "GATEWAY_SOCKETIO")
        }

        if let origins = environment["GATEWAY_ALLOWED_ORIGINS"], !origins.isEmpty {
            let list = origins.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            configuration.allowedOrigins = list.contains("*") ? .any : .list(list)
        }
        if let hosts = environment["GATEWAY_ALLOWED_HOSTS"], !hosts.isEmpty {
            let list = hosts.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            for host in list where HostPolicy.hostName(host) == nil {
                throw GatewayError.invalidConfiguration("'\(host)' is not a host name", configKey: "GATEWAY_ALLOWED_HOSTS")
            }
            configuration.allowedHosts = .list(list)
        }
        if let audience = environment["GATEWAY_JWT_AUDIENCE"], !audience.isEmpty { configuration.auth.audience = audience }
        if let issuer = environment["GATEWAY_JWT_ISSUER"], !issuer.isEmpty { configuration.auth.issuer = issuer }
        if let text = environment["GATEWAY_JWT_REQUIRE_EXP"], !text.isEmpty {
            configuration.auth.requiresExpiration = try boolean(text, key: "GATEWAY_JWT_REQUIRE_EXP")
        }
        if let text = environment["GATEWAY_LIVE_PAGE"], !text.isEmpty {
            configuration.isLivePageEnabled = try boolean(text, key: "GATEWAY_LIVE_PAGE")
        }

        if allowAnonymous {
            configuration.auth.mode = .anonymous
        } else if let secret = environment["GATEWAY_JWT_SECRET"], !secret.isEmpty {
            configuration.auth.mode = .required(.hs256(secret: Array(secret.utf8)))
        } else if let path = environment["GATEWAY_JWT_PUBLIC_KEY_FILE"], !path.isEmpty {
            let pem: String
            do {
                pem = try readFile(path)
            } catch {
                throw GatewayError.invalidConfiguration(
                    "cannot read \(path)", configKey: "GATEWAY_JWT_PUBLIC_KEY_FILE", underlying: error)
            }
            switch environment["GATEWAY_JWT_ALGORITHM"]?.uppercased() {
            case "ES256": configuration.auth.mode = .required(.es256(publicKeyPEM: pem))
            case "RS256": configuration.auth.mode = .required(.rs256(publicKeyPEM: pem))
            case .none, "":
                configuration.auth.mode = .required(
                    pem.contains("BEGIN RSA PUBLIC KEY") || pem.count > 400
                        ? .rs256(publicKeyPEM: pem) : .es256(publicKeyPEM: pem))
            case .some(let other):
                throw GatewayError.invalidConfiguration("'\(other)' is not RS256 or ES256", configKey: "GATEWAY_JWT_ALGORITHM")
            }
        } else {
            configuration.auth.mode = .required(nil)
        }
        return configuration
    }
}
