import AsyncPrimitives
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A pub/sub connection that reconnects and subscribes again to what it held.
///
/// Run ``run()`` in a task group; subscribe and unsubscribe at any time from any task; read
/// ``events`` from one consumer task. After a reconnect the subscriber subscribes again to every
/// channel and pattern it holds, waits for the server to confirm each, and then delivers
/// ``RedisPubSubEvent/reconnected`` so the consumer can recover what it missed from history.
/// A slow consumer never blocks the socket: see ``events``.
public final class RedisSubscriber: Sendable, Service {
    /// The events of this subscriber, for a single consumer. Bounded: when
    /// `limits.subscriberBufferSize` events wait, the oldest is dropped and the consumer gets
    /// ``RedisPubSubEvent/dropped(count:)`` before the next event. Ends when ``run()`` returns.
    public typealias Events = DropOldestBuffer<RedisPubSubEvent>.Elements

    private struct State {
        var channels: Set<String> = []
        var patterns: Set<String> = []
        var connection: RedisConnection?
        /// Connected, and the server confirmed every channel and pattern held at connect time.
        var isLive = false
        var isShutdown = false
    }

    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())
    private let slot: RedisConnectionSlot
    private let buffer: DropOldestBuffer<RedisPubSubEvent>

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = configuration.logging(to: logger)
        self.slot = RedisConnectionSlot(
            for: configuration, maxWaiters: configuration.limits.maxSubscriptions, eventLoop: eventLoopGroup.any())
        self.buffer = RedisPubSubEvent.buffer(capacity: configuration.limits.subscriberBufferSize)
    }

    public var events: Events { self.buffer.elements }

    /// The channels held (subscribed, or to subscribe on the next connection).
    public var channels: Set<String> { self.state.withLock { $0.channels } }
    /// The patterns held.
    public var patterns: Set<String> { self.state.withLock { $0.patterns } }
    /// Whether a connection is up and the server confirmed the subscriptions held when it
    /// connected (after a reconnect: the resubscriptions). False while connecting, between
    /// attempts and after shutdown.
    public var isConnected: Bool { self.state.withLock { $0.isLive } }
    /// Events dropped so far because the consumer fell behind.
    public var droppedEventCount: Int { self.buffer.totalDropped }

    /// Subscribes to `channels`. Returns when the server confirmed each one; when no connection
    /// is up, returns once they are held, and they are subscribed on the next connection.
    public func subscribe(to channels: [String]) async throws {
        try await self.change(.subscribe, channels)
    }

    /// Unsubscribes from `channels`.
    public func unsubscribe(from channels: [String]) async throws {
        try await self.change(.unsubscribe, channels)
    }

    /// Subscribes to glob-style patterns (PSUBSCRIBE).
    public func subscribe(toPatterns patterns: [String]) async throws {
        try await self.change(.psubscribe, patterns)
    }

    /// Unsubscribes from patterns (PUNSUBSCRIBE).
    public func unsubscribe(fromPatterns patterns: [String]) async throws {
        try await self.change(.punsubscribe, patterns)
    }

    private func change(_ kind: RedisSubscriptionConfirmation.Kind, _ names: [String]) async throws {
        guard !names.isEmpty else { return }
        // While the connection is being made, wait for it (bounded by the connect timeout).
        _ = try? await self.slot.connection()
        let limit = self.configuration.limits.maxSubscriptions
        let endpoint = self.configuration.endpointDescription
        let confirmation: EventLoopFuture<Void>? = try self.state.withLock { state in
            guard !state.isShutdown else {
                throw RedisClientError(code: .shutdown, message: "the Redis subscriber for \(endpoint) has shut down")
            }
            switch kind {
            case .subscribe:
                let count = state.channels.union(names).count + state.patterns.count
                guard count <= limit else { throw Self.tooMany(limit) }
                state.channels.formUnion(names)
            case .psubscribe:
                let count = state.channels.count + state.patterns.union(names).count
                guard count <= limit else { throw Self.tooMany(limit) }
                state.patterns.formUnion(names)
            case .unsubscribe:
                state.channels.subtract(names)
            case .punsubscribe:
                state.patterns.subtract(names)
            case .ssubscribe, .sunsubscribe:
                throw RedisClientError(
                    code: .invalidConfiguration,
                    message: "RedisSubscriber holds classic channels; shard channels belong to RedisClusterSubscriber")
            }
            // Written under the lock, so the server sees changes in the order they were made.
            return state.connection?.sendSubscription(kind, names)
        }
        self.logger.debug(
            "redis subscription change",
            metadata: ["redis.command": "\(kind.rawValue)", "redis.channel": "\(names.joined(separator: ","))"]
        )
        guard let confirmation else { return }
        do {
            try await confirmation.get()
        } catch let error as RedisClientError where error.code == .serverError {
            // Refused (for example NOPERM): do not hold what the server would not give us.
            if kind == .subscribe || kind == .psubscribe {
                self.state.withLock { state in
                    if kind == .subscribe { state.channels.subtract(names) } else { state.patterns.subtract(names) }
                }
            }
            throw error
        } catch let error as RedisClientError where error.code == .connectionClosed {
            // The next connection subscribes to what is held; `.reconnected` will say so.
            self.logger.debug(
                "redis subscription change interrupted by a disconnect", metadata: ["redis.error": "\(error.message)"])
        }
    }

    private static func tooMany(_ limit: Int) -> RedisClientError {
        RedisClientError(
            code: .tooManySubscriptions,
            message:
                "a subscriber holds at most \(limit) channels and patterns; raise limits.maxSubscriptions or unsubscribe first"
        )
    }

    /// Connects, subscribes, and reconnects with backoff until the calling task is cancelled or
    /// its service group shuts down gracefully; then closes the connection, ends ``events`` and
    /// returns. Call it once.
    public func run() async throws {
        try await runUntilCancelledOrShutDown { try await self.connectAndResubscribe() }
    }

    private func connectAndResubscribe() async throws {
        var connectionCount = 0
        let buffer = self.buffer
        let sink: @Sendable (RedisPushMessage) -> Void = { message in
            switch message {
            case .message(let channel, let payload):
                buffer.push(.message(channel: String(buffer: channel), payload: payload))
            case .patternMessage(let pattern, let channel, let payload):
                buffer.push(.patternMessage(pattern: String(buffer: pattern), channel: String(buffer: channel), payload: payload))
            case .shardChannelUnsubscribed:
                // Classic pub/sub never holds shard channels.
                break
            }
        }
        defer {
            self.state.withLock { state in
                state.isShutdown = true
                state.connection = nil
                state.isLive = false
            }
            self.slot.shutdown()
            self.buffer.finish()
        }
        let loop = RedisReconnectLoop(
            configuration: self.configuration, eventLoopGroup: self.eventLoopGroup, slot: self.slot, logger: self.logger,
            role: "redis subscriber")
        await loop.run(
            pushSink: sink,
            prepare: { connection in
                // What is held is subscribed before any change made through the slot.
                self.state.withLock { state -> [EventLoopFuture<Void>] in
                    state.connection = connection
                    var futures: [EventLoopFuture<Void>] = []
                    if !state.channels.isEmpty {
                        futures.append(connection.sendSubscription(.subscribe, Array(state.channels)))
                    }
                    if !state.patterns.isEmpty {
                        futures.append(connection.sendSubscription(.psubscribe, Array(state.patterns)))
                    }
                    return futures
                }
            },
            ready: { connection, confirmations, attempt in
                connectionCount += 1
                do {
                    for confirmation in confirmations {
                        try await confirmation.get()
                    }
                } catch {
                    self.logger.info("redis resubscribe failed", metadata: ["redis.error": "\(error)"])
                    connection.channel.close(promise: nil)
                    return false
                }
                self.logger.info(
                    "redis subscriber connected",
                    metadata: [
                        "redis.attempt": "\(attempt)",
                        "redis.channel.count": "\(confirmations.isEmpty ? 0 : self.channels.count)",
                    ])
                self.state.withLock { $0.isLive = true }
                if connectionCount > 1 { self.buffer.push(.reconnected) }
                return true
            },
            closed: {
                self.state.withLock { state in
                    state.connection = nil
                    state.isLive = false
                }
            },
            dropped: { self.buffer.push(.disconnected) })
    }
}
