import ArgumentParser
import Bus
import Logging
import Redis
import ServiceLifecycle
import Worker

/// The Redis a command relays through: one node or a cluster (chosen by `REDIS_CLUSTER`, a
/// `redis+cluster://` URL or the worker file's `redisCluster`, or detected with `auto`), the key
/// layout that fits it, and the clients to run.
struct RedisDeployment {
    let configuration: RedisConfiguration
    let keys: RedisBusKeys
    let pubSub: RedisBusPubSub
    let client: any RedisCommandSending
    /// ``client`` as the service that runs its connections (and, on a cluster, its slot map).
    let clientService: any Service
    private let logger: Logger

    /// Resolves `auto` (waiting for Redis to answer), picks the key prefix (`{aws-realtime}:` on a
    /// cluster when none was set) and checks that every key of the bus shares one slot there.
    static func make(configuration: RedisConfiguration, keyPrefix: String?, logger: Logger) async throws -> RedisDeployment {
        var configuration = configuration
        if configuration.cluster.isAutomatic {
            let isCluster = try await RedisClusterDetection.isCluster(configuration: configuration, logger: logger)
            configuration.cluster = isCluster ? .enabled : .disabled
            logger.info("REDIS_CLUSTER=auto: \(isCluster ? "a Redis Cluster" : "one Redis node")")
        }
        guard configuration.cluster.isEnabled else {
            let client = RedisClient(configuration: configuration, logger: logger)
            return RedisDeployment(
                configuration: configuration, keys: RedisBusKeys(prefix: keyPrefix ?? "aws-realtime:"), pubSub: .classic,
                client: client, clientService: client, logger: logger)
        }
        let keys = RedisBusKeys(prefix: keyPrefix ?? RedisBusKeys.clusterDefaultPrefix)
        do {
            try keys.checkClusterSafe(configurationKey: "REDIS_KEY_PREFIX (or keyPrefix in the worker file)")
        } catch {
            throw ValidationError(error.message)
        }
        let client = RedisClusterClient(configuration: configuration, logger: logger)
        return RedisDeployment(
            configuration: configuration, keys: keys, pubSub: .sharded, client: client,
            clientService: client, logger: logger)
    }

    /// A pub/sub connection for the bus's channels: classic on one node, sharded on a cluster.
    func makeSubscriber() -> any RedisChannelSubscribing {
        switch pubSub {
        case .classic: RedisSubscriber(configuration: configuration, logger: logger)
        case .sharded: RedisClusterSubscriber(configuration: configuration, logger: logger)
        }
    }

    /// The Redis the environment names (`REDIS_URL` or `REDIS_HOST`/`REDIS_PORT`, `REDIS_CLUSTER`),
    /// cluster or not as the worker file says when the environment does not.
    static func configuration(environment: [String: String], settings: WorkerSettings) throws -> RedisConfiguration {
        do {
            return try RedisConfiguration(
                environment: environment, defaults: RedisConfiguration(cluster: settings.redisCluster ?? .disabled))
        } catch {
            throw ValidationError("Redis configuration (REDIS_URL / REDIS_HOST / REDIS_PORT / REDIS_CLUSTER): \(error)")
        }
    }

    /// The prefix set in the environment (`REDIS_KEY_PREFIX`) or the worker file, where the
    /// file's value counts only when it differs from the single-node default (so a cluster gets
    /// its own default unless a prefix was chosen).
    static func keyPrefix(environment: [String: String], file: String? = nil) -> String? {
        if let prefix = environment["REDIS_KEY_PREFIX"], !prefix.isEmpty { return prefix }
        guard let file, file != "aws-realtime:" else { return nil }
        return file
    }
}
