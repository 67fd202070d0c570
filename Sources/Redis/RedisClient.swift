import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A command client that owns one pipelined connection and reconnects it.
///
/// Run ``run()`` in a task group (or as a service); it connects, and when the connection drops
/// it reconnects with exponential, clamped, jittered backoff until the task is cancelled.
/// Commands sent while it connects wait for the connection (bounded by the connect timeout);
/// commands sent while it backs off fail at once with `.notConnected`; commands in flight when
/// the connection drops fail with `.connectionClosed`.
public final class RedisClient: RedisCommandSending, Service {
    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let slot: RedisConnectionSlot

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = configuration.logging(to: logger)
        self.slot = RedisConnectionSlot(
            for: configuration, maxWaiters: configuration.limits.maxPendingCommands, eventLoop: eventLoopGroup.any())
    }

    /// Connects and keeps reconnecting until the calling task is cancelled or its service group
    /// shuts down gracefully; then closes the connection and returns. Call it once.
    public func run() async throws {
        try await runUntilCancelledOrShutDown { try await self.connectAndReconnect() }
    }

    private func connectAndReconnect() async throws {
        defer { self.slot.shutdown() }
        let loop = RedisReconnectLoop(
            configuration: self.configuration, eventLoopGroup: self.eventLoopGroup, slot: self.slot, logger: self.logger,
            role: "redis")
        await loop.run(
            pushSink: nil, prepare: { _ in },
            ready: { _, _, attempt in
                self.logger.info("redis connected", metadata: ["redis.attempt": "\(attempt)"])
                return true
            })
    }

    /// The live connection, for callers that want to pin several commands to one connection.
    public func connection() async throws -> RedisConnection {
        try await self.slot.connection()
    }

    public func send(_ arguments: [ByteBuffer]) async throws -> RESPValue {
        try await self.slot.connection().send(arguments)
    }

    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await self.slot.connection().send(arguments)
    }

    public func pipeline(_ commands: [[ByteBuffer]]) async throws -> [RESPValue] {
        try await self.slot.connection().pipeline(commands)
    }

    @discardableResult
    public func publish(_ messages: [ByteBuffer], to channel: String) async throws -> [Int] {
        try await self.slot.connection().publish(messages, to: channel)
    }
}

extension RedisConnection {
    /// Returns when the connection closes; cancelling the task closes it.
    func waitForClose() async {
        await withTaskCancellationHandler {
            try? await self.channel.closeFuture.get()
        } onCancel: {
            self.channel.close(promise: nil)
        }
    }
}
