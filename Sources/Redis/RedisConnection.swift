import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to Redis: connected, authenticated and ready, with commands pipelined and
/// replies matched in order. It does not reconnect; ``RedisClient`` and ``RedisSubscriber``
/// own connections and replace them when they drop.
public final class RedisConnection: Sendable {
    let channel: any Channel
    let configuration: RedisConfiguration
    /// `true` when HELLO 3 succeeded; `false` for RESP2.
    public let isRESP3: Bool
    let logger: Logger
    private let eventLoopTaskExecutor: RedisEventLoopTaskExecutor

    private init(channel: any Channel, configuration: RedisConfiguration, isRESP3: Bool, logger: Logger) {
        self.channel = channel
        self.configuration = configuration
        self.isRESP3 = isRESP3
        self.logger = logger
        self.eventLoopTaskExecutor = RedisEventLoopTaskExecutor(eventLoop: channel.eventLoop)
    }

    /// An executor on this connection's event loop. A caller that pipelines many commands can run
    /// in `withTaskExecutorPreference(connection.taskExecutor) { ... }`: its writes then go
    /// straight into the channel and the replies resume it on the same thread, with no thread
    /// hop per request. Keep only short work on it, as on any event loop.
    public var taskExecutor: any TaskExecutor { self.eventLoopTaskExecutor }

    /// Connects, runs the TLS handshake, HELLO / AUTH, SELECT and sets the client name, all within
    /// `configuration.timeouts.connect`. Errors have code `.connectTimeout` or `.connectionFailed`.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> RedisConnection {
        try await self.connect(configuration: configuration, eventLoopGroup: eventLoopGroup, pushSink: nil, logger: logger)
    }

    static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        pushSink: (@Sendable (RedisPushMessage) -> Void)?,
        logger: Logger
    ) async throws -> RedisConnection {
        let logger = configuration.logging(to: logger)
        let endpoint = configuration.endpointDescription
        let sslContext = try Self.makeSSLContext(configuration)
        let deadline = NIODeadline.now() + TimeAmount(configuration.timeouts.connect)
        let isSubscriber = pushSink != nil
        let handlerLogger = logger
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(TimeAmount(configuration.timeouts.connect))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        let serverName =
                            configuration.tls.serverName ?? (Self.isIPAddress(configuration.host) ? nil : configuration.host)
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try sync.addHandler(
                        RedisChannelHandler(
                            decoderLimits: configuration.limits.reply,
                            maxPendingCommands: configuration.limits.maxPendingCommands,
                            commandTimeout: configuration.timeouts.command,
                            endpoint: endpoint,
                            isSubscriber: isSubscriber,
                            pushSink: pushSink,
                            logger: handlerLogger
                        )
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch let error as ChannelError {
            if case .connectTimeout = error {
                throw RedisClientError(code: .connectTimeout, message: "connecting to \(endpoint) timed out", underlying: error)
            }
            throw RedisClientError(code: .connectionFailed, message: "could not connect to \(endpoint)", underlying: error)
        } catch {
            throw RedisClientError(code: .connectionFailed, message: "could not connect to \(endpoint)", underlying: error)
        }
        // The TLS and RESP handshakes share what is left of the connect timeout.
        let timeout = channel.eventLoop.scheduleTask(deadline: deadline) {
            channel.close(promise: nil)
        }
        do {
            let isRESP3 = try await Self.handshake(channel: channel, configuration: configuration, logger: logger)
            timeout.cancel()
            logger.debug("redis connected", metadata: ["redis.resp": "\(isRESP3 ? 3 : 2)"])
            return RedisConnection(channel: channel, configuration: configuration, isRESP3: isRESP3, logger: logger)
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            // The timer's future succeeded if it fired; cancelling it before it fired failed it.
            let timedOut = (try? await timeout.futureResult.get()) != nil
            if timedOut {
                throw RedisClientError(
                    code: .connectTimeout,
                    message: "the TLS or HELLO/AUTH handshake with \(endpoint) did not finish within the connect timeout",
                    underlying: error
                )
            }
            if let error = error as? RedisClientError, error.code == .serverError {
                throw RedisClientError(
                    code: .connectionFailed,
                    message: "\(endpoint) refused the connection handshake: \(error.serverMessage ?? error.message)",
                    serverMessage: error.serverMessage,
                    underlying: error
                )
            }
            let underlying = (error as? RedisClientError)?.underlying ?? error
            throw RedisClientError(
                code: .connectionFailed,
                message: "the TLS or HELLO/AUTH handshake with \(endpoint) failed",
                underlying: underlying
            )
        }
    }

    /// HELLO 3 with AUTH and SETNAME; RESP2 with AUTH and CLIENT SETNAME when the server does not
    /// know HELLO (or when configured). Returns whether RESP3 is in use.
    private static func handshake(channel: any Channel, configuration: RedisConfiguration, logger: Logger) async throws -> Bool {
        var isRESP3 = false
        if !configuration.protocolVersion.isResp2Only {
            var hello = ["HELLO", "3"]
            if let password = configuration.password {
                hello += ["AUTH", configuration.username ?? "default", password]
            }
            if let name = configuration.clientName {
                hello += ["SETNAME", name]
            }
            let reply = try await Self.send(hello, on: channel, configuration: configuration)
            if case .error(let message) = reply {
                let text = String(buffer: message)
                guard text.hasPrefix("ERR unknown command") || text.hasPrefix("NOPROTO") else {
                    throw RedisClientError.server(text, command: "HELLO")
                }
                logger.debug("redis server does not speak RESP3; using RESP2")
            } else {
                isRESP3 = true
            }
        }
        if !isRESP3 {
            if let password = configuration.password {
                var auth = ["AUTH"]
                if let username = configuration.username { auth.append(username) }
                auth.append(password)
                try Self.check(try await Self.send(auth, on: channel, configuration: configuration), command: "AUTH")
            }
            if let name = configuration.clientName {
                try Self.check(
                    try await Self.send(["CLIENT", "SETNAME", name], on: channel, configuration: configuration),
                    command: "CLIENT SETNAME")
            }
        }
        if configuration.database != 0 && configuration.cluster.isDisabled {
            try Self.check(
                try await Self.send(["SELECT", String(configuration.database)], on: channel, configuration: configuration),
                command: "SELECT")
        }
        return isRESP3
    }

    private static func check(_ reply: RESPValue, command: String) throws {
        if case .error(let message) = reply {
            throw RedisClientError.server(String(buffer: message), command: command)
        }
    }

    private static func send(_ arguments: [String], on channel: any Channel, configuration: RedisConfiguration) async throws
        -> RESPValue
    {
        var buffer = channel.allocator.buffer(capacity: 64)
        RESPCommandEncoder.encode(arguments, into: &buffer)
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        channel.writeRedisRequest(
            RedisRequest(bytes: buffer, responder: .single(promise)), endpoint: configuration.endpointDescription)
        return try await promise.futureResult.get()
    }

    private static func makeSSLContext(_ configuration: RedisConfiguration) throws -> NIOSSLContext? {
        guard configuration.tls.isEnabled else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = configuration.tls.caFile {
            tls.trustRoots = .file(caFile)
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw RedisClientError(
                code: .invalidConfiguration,
                message: "could not set up TLS (CA file \(configuration.tls.caFile ?? "system default"))",
                underlying: error
            )
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

extension RedisConnection {
    /// Sends one command and returns its reply. A server error reply throws
    /// ``RedisClientError`` with code `.serverError` and the server's message.
    public func send(_ arguments: [ByteBuffer]) async throws -> RESPValue {
        var buffer = self.channel.allocator.buffer(capacity: 32 + arguments.reduce(0) { $0 + $1.readableBytes + 16 })
        RESPCommandEncoder.encode(arguments, into: &buffer)
        return try await self.sendEncoded(buffer, command: arguments.first.map { String(buffer: $0) })
    }

    /// Sends one command given as strings.
    public func send(_ arguments: [String]) async throws -> RESPValue {
        var buffer = self.channel.allocator.buffer(capacity: 32 + arguments.reduce(0) { $0 + $1.utf8.count + 16 })
        RESPCommandEncoder.encode(arguments, into: &buffer)
        return try await self.sendEncoded(buffer, command: arguments.first)
    }

    /// Writes all `commands` at once and returns their replies in order. Error replies are
    /// returned as `.error` values in place, not thrown, so one failing command does not hide
    /// the others.
    public func pipeline(_ commands: [[ByteBuffer]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        var buffer = self.channel.allocator.buffer(capacity: 0)
        RESPCommandEncoder.encode(commands, into: &buffer)
        let promise = self.channel.eventLoop.makePromise(of: [RESPValue].self)
        self.channel.writeRedisRequest(
            RedisRequest(bytes: buffer, responder: .batch(promise, count: commands.count)),
            endpoint: self.configuration.endpointDescription
        )
        return try await promise.futureResult.get()
    }

    /// PUBLISH of each message to `channel`, encoded straight into one write (the command and
    /// channel formatted once); how many subscribers received each, in order. An error reply
    /// throws the first one once every reply is in: the other messages were still sent.
    @discardableResult
    public func publish(_ messages: [ByteBuffer], to channel: String) async throws -> [Int] {
        guard !messages.isEmpty else { return [] }
        var buffer = self.channel.allocator.buffer(capacity: 0)
        RESPCommandEncoder.encodePublishes(messages, to: channel, into: &buffer)
        let promise = self.channel.eventLoop.makePromise(of: [RESPValue].self)
        self.channel.writeRedisRequest(
            RedisRequest(bytes: buffer, responder: .batch(promise, count: messages.count)),
            endpoint: self.configuration.endpointDescription
        )
        return try Self.publishCounts(try await promise.futureResult.get())
    }

    /// Closes the connection; commands in flight fail with `.connectionClosed`.
    public func close() async {
        try? await self.channel.close()
    }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    func sendEncoded(_ buffer: ByteBuffer, command: String?) async throws -> RESPValue {
        let promise = self.channel.eventLoop.makePromise(of: RESPValue.self)
        self.channel.writeRedisRequest(
            RedisRequest(bytes: buffer, responder: .single(promise)), endpoint: self.configuration.endpointDescription)
        let reply = try await promise.futureResult.get()
        if case .error(let message) = reply {
            throw RedisClientError.server(String(buffer: message), command: command?.uppercased())
        }
        return reply
    }

    /// Writes a (P)SUBSCRIBE / (P)UNSUBSCRIBE; the future completes when every name is confirmed.
    func sendSubscription(_ kind: RedisSubscriptionConfirmation.Kind, _ names: [String]) -> EventLoopFuture<Void> {
        var buffer = self.channel.allocator.buffer(capacity: 32 + names.reduce(0) { $0 + $1.utf8.count + 16 })
        RESPCommandEncoder.encode([kind.rawValue.uppercased()] + names, into: &buffer)
        let promise = self.channel.eventLoop.makePromise(of: Void.self)
        let expected = names.map { RedisSubscriptionConfirmation(kind: kind, name: $0) }
        self.channel.writeRedisRequest(
            RedisRequest(bytes: buffer, responder: .subscription(promise, expected: expected)),
            endpoint: self.configuration.endpointDescription
        )
        return promise.futureResult
    }
}
