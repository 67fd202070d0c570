import Logging
import NIOCore

/// The one connection of a ``RedisClient`` or a ``RedisSubscriber``, kept up: connects, hands
/// each new connection to its owner, waits for it to close, and reconnects with exponential,
/// clamped, jittered backoff (``RedisConfiguration/Reconnect/backoff``) until the task is cancelled. The owner's
/// ``RedisConnectionSlot`` hears of every change, so commands wait while it connects and fail at
/// once while it backs off.
struct RedisReconnectLoop: Sendable {
    let configuration: RedisConfiguration
    let eventLoopGroup: any EventLoopGroup
    let slot: RedisConnectionSlot
    let logger: Logger
    /// How the log lines name the connection: `redis`, `redis subscriber`.
    let role: String

    /// Runs until the task is cancelled.
    ///
    /// - Parameters:
    ///   - pushSink: where the connection's pushes (pub/sub messages) go; nil for a command client.
    ///   - prepare: the owner's first use of a new connection, before the slot offers it to
    ///     commands (a subscriber writes its subscriptions here, so they come first).
    ///   - ready: the connection is in the slot; true when it is ready for use (the backoff starts
    ///     over), false when it is not (the owner closed it: a refused resubscription).
    ///   - closed: the connection closed (or the task was cancelled while it was up).
    ///   - dropped: it closed while the task still runs, after the slot heard: a reconnect follows.
    func run<Prepared>(
        pushSink: (@Sendable (RedisPushMessage) -> Void)?,
        prepare: (RedisConnection) -> Prepared,
        ready: (RedisConnection, Prepared, _ attempt: Int) async -> Bool,
        closed: () -> Void = {},
        dropped: () -> Void = {}
    ) async {
        let backoff = configuration.reconnect.backoff
        let endpoint = configuration.endpointDescription
        var attempt = 0
        while !Task.isCancelled {
            slot.startConnecting()
            do {
                let connection = try await RedisConnection.connect(
                    configuration: configuration, eventLoopGroup: eventLoopGroup, pushSink: pushSink, logger: logger)
                let prepared = prepare(connection)
                slot.connected(connection)
                if await ready(connection, prepared, attempt) { attempt = 0 }
                await connection.waitForClose()
                closed()
                if Task.isCancelled { break }
                slot.disconnected(
                    RedisClientError(code: .notConnected, message: "the connection to \(endpoint) dropped; reconnecting"))
                dropped()
                logger.info("\(role) connection lost; reconnecting")
            } catch {
                let clientError =
                    (error as? RedisClientError)
                    ?? RedisClientError(code: .connectionFailed, message: "could not connect to \(endpoint)", underlying: error)
                slot.disconnected(
                    RedisClientError(
                        code: .notConnected, message: "not connected to \(endpoint): \(clientError.message)",
                        underlying: clientError))
                // The cause (refused, a DNS or TLS failure) is what an operator acts on.
                var metadata: Logger.Metadata = ["redis.error": "\(clientError.message)", "redis.attempt": "\(attempt)"]
                if let cause = clientError.underlying { metadata["redis.error.cause"] = "\(cause)" }
                logger.info("\(role) connect failed", metadata: metadata)
            }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
        }
    }
}
