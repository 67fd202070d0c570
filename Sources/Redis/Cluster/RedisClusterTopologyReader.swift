import Logging
import NIOCore

/// Asks cluster nodes for the map, one at a time, on a short-lived connection of its own (so a
/// refresh never queues behind commands, and works while a node's client is reconnecting).
struct RedisClusterTopologyReader {
    let configuration: RedisConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// The map from the first of `candidates` that answers with one covering at least one slot.
    func read(from candidates: [RedisClusterNodeAddress]) async throws -> RedisClusterTopology {
        var failures: [String] = []
        for address in candidates {
            do {
                let connection = try await RedisConnection.connect(
                    configuration: self.configuration.node(address), eventLoopGroup: self.eventLoopGroup, pushSink: nil,
                    logger: self.logger)
                let topology: RedisClusterTopology
                do {
                    topology = try await self.read(on: connection, address: address)
                } catch {
                    await connection.close()
                    throw error
                }
                await connection.close()
                guard topology.coveredSlotCount > 0 else {
                    failures.append("\(address): serves no slot yet (the cluster is still forming)")
                    continue
                }
                return topology
            } catch let error as RedisClientError where error.code == .invalidConfiguration {
                throw error
            } catch {
                failures.append("\(address): \((error as? RedisClientError)?.message ?? "\(error)")")
            }
        }
        throw RedisClientError(
            code: .notConnected,
            message: "no node of the Redis Cluster gave its slot map: \(failures.joined(separator: "; "))")
    }

    private func read(on connection: RedisConnection, address: RedisClusterNodeAddress) async throws -> RedisClusterTopology {
        do {
            let reply = try await connection.send(["CLUSTER", "SHARDS"])
            return try RedisClusterTopology(shardsReply: reply, answeredBy: address.host, tls: self.configuration.tls.isEnabled)
        } catch let error as RedisClientError where error.code == .serverError {
            let message = error.serverMessage ?? ""
            if message.contains("cluster support disabled") {
                throw RedisClientError(
                    code: .invalidConfiguration,
                    message:
                        "\(address) is not a Redis Cluster node (it answered: \(message)); set REDIS_CLUSTER=false or use a redis:// URL",
                    serverMessage: message)
            }
            guard message.lowercased().contains("unknown subcommand") else { throw error }
            // Before Redis 7: CLUSTER SLOTS.
            let reply = try await connection.send(["CLUSTER", "SLOTS"])
            return try RedisClusterTopology(slotsReply: reply, answeredBy: address.host)
        }
    }
}
