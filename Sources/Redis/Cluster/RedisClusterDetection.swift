import Logging
import NIOCore
import NIOPosix

/// Answers `REDIS_CLUSTER=auto`: is the configured server a Redis Cluster node?
public enum RedisClusterDetection {
    /// Asks the configured endpoint `INFO cluster`: `cluster_enabled:1` is a cluster, `0` (or any
    /// refusal, such as an ACL without `INFO`) is one node. While the server cannot be reached it
    /// tries again with the reconnect backoff, until it answers or the task is cancelled.
    public static func isCluster(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> Bool {
        let backoff = configuration.reconnect.backoff
        var attempt = 0
        while true {
            try Task.checkCancellation()
            do {
                let connection = try await RedisConnection.connect(
                    configuration: configuration, eventLoopGroup: eventLoopGroup, pushSink: nil, logger: logger)
                defer { connection.channel.close(promise: nil) }
                do {
                    let reply = try await connection.send(["INFO", "cluster"])
                    return reply.string?.contains("cluster_enabled:1") ?? false
                } catch let error as RedisClientError where error.code == .serverError {
                    let message = error.serverMessage ?? error.message
                    logger.warning(
                        "REDIS_CLUSTER=auto: the server refused INFO cluster; treating it as one node",
                        metadata: ["redis.error": "\(message)"])
                    return false
                }
            } catch let error as RedisClientError where error.code != .serverError {
                logger.info(
                    "REDIS_CLUSTER=auto: waiting for Redis to answer INFO cluster",
                    metadata: ["redis.error": "\(error.message)", "redis.attempt": "\(attempt)"])
            }
            try await Task.sleep(for: backoff.delay(attempt: attempt))
            attempt += 1
        }
    }
}
