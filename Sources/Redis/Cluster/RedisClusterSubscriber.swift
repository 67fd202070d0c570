import AsyncPrimitives
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Sharded pub/sub (Redis 7: `SSUBSCRIBE`) on a Redis Cluster: each channel is subscribed on the
/// primary that serves its hash slot, which is the only node its `SPUBLISH`es reach.
///
/// A slot can change hands under a subscription: a failover (the primary's connection drops), a
/// resharding (the node sends a `sunsubscribe` the client did not ask for), or a demotion (found
/// by the map read every `refreshInterval`). Each ends the current set of connections; the
/// subscriber reads the map again, subscribes every held channel on its new owner and then
/// delivers ``RedisPubSubEvent/reconnected``, exactly as ``RedisSubscriber`` does after a
/// reconnect, so the consumer recovers what it missed from history.
///
/// Run ``run()`` in a task group; subscribe and unsubscribe from any task; read ``events`` from
/// one consumer.
public final class RedisClusterSubscriber: RedisChannelSubscribing, Service {
    public let configuration: RedisConfiguration
    /// How often the map is read to find channels whose slot moved without a word to us.
    public let refreshInterval: Duration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let seed: RedisClusterNodeAddress
    private let state = Mutex(State())
    private let buffer: DropOldestBuffer<RedisPubSubEvent>
    /// Wakes ``run()`` to rebuild its connections: one closed, a slot moved, a channel needs a
    /// node it has no connection to.
    private let change = RedisChangeSignal()

    private struct State {
        var channels: Set<String> = []
        var topology: RedisClusterTopology?
        var connections: [RedisClusterNodeAddress: RedisConnection] = [:]
        var isLive = false
        var isShutdown = false
    }

    public init(
        configuration: RedisConfiguration,
        refreshInterval: Duration = .seconds(10),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.refreshInterval = refreshInterval
        self.eventLoopGroup = eventLoopGroup
        self.seed = RedisClusterNodeAddress(host: configuration.host, port: configuration.port)
        self.logger = self.seed.logging(to: logger)
        self.buffer = RedisPubSubEvent.buffer(capacity: configuration.limits.subscriberBufferSize)
    }

    public var events: RedisSubscriber.Events { self.buffer.elements }
    public var isConnected: Bool { self.state.withLock { $0.isLive } }
    /// The shard channels held (subscribed, or to subscribe on the next connections).
    public var channels: Set<String> { self.state.withLock { $0.channels } }
    /// Where each held channel is subscribed now.
    public var owners: [String: RedisClusterNodeAddress] {
        self.state.withLock { state in
            var owners: [String: RedisClusterNodeAddress] = [:]
            guard state.isLive, let topology = state.topology else { return owners }
            for channel in state.channels {
                owners[channel] = topology.primary(ofSlot: RedisClusterSlot.of(key: channel))
            }
            return owners
        }
    }
    /// Events dropped so far because the consumer fell behind.
    public var droppedEventCount: Int { self.buffer.totalDropped }

    // MARK: Subscriptions

    /// SSUBSCRIBE: returns when each owner confirmed, or once held when a connection must be
    /// made first (``run()`` subscribes them, then delivers ``RedisPubSubEvent/reconnected``).
    public func subscribe(to channels: [String]) async throws {
        guard !channels.isEmpty else { return }
        let limit = self.configuration.limits.maxSubscriptions
        let (confirmations, needsConnection) = try self.state.withLock {
            state -> ([EventLoopFuture<Void>], Bool) in
            guard !state.isShutdown else {
                throw RedisClientError(code: .shutdown, message: "the Redis Cluster subscriber for \(self.seed) has shut down")
            }
            let added = channels.filter { !state.channels.contains($0) }
            guard state.channels.count + Set(added).count <= limit else {
                throw RedisClientError(
                    code: .tooManySubscriptions,
                    message:
                        "a subscriber holds at most \(limit) channels; raise limits.maxSubscriptions or unsubscribe first")
            }
            state.channels.formUnion(added)
            guard state.isLive, let topology = state.topology else { return ([], false) }
            var byOwner: [RedisClusterNodeAddress: [String]] = [:]
            var needsConnection = false
            for channel in Set(added) {
                guard let owner = topology.primary(ofSlot: RedisClusterSlot.of(key: channel)), state.connections[owner] != nil
                else {
                    needsConnection = true
                    continue
                }
                byOwner[owner, default: []].append(channel)
            }
            // Written under the lock, so each node sees changes in the order they were made.
            let confirmations = byOwner.compactMap { owner, names in
                state.connections[owner]?.sendSubscription(.ssubscribe, names)
            }
            return (confirmations, needsConnection)
        }
        if needsConnection { self.change.signal() }
        for confirmation in confirmations {
            do {
                try await confirmation.get()
            } catch let error as RedisClientError where error.code == .serverError {
                if error.serverErrorPrefix == "MOVED" || error.serverErrorPrefix == "CLUSTERDOWN" {
                    // The map is stale: the rebuild subscribes on the right node.
                    self.change.signal()
                    continue
                }
                self.state.withLock { $0.channels.subtract(channels) }
                throw error
            } catch let error as RedisClientError where error.code == .connectionClosed {
                // The rebuild after the close subscribes it again.
                continue
            }
        }
    }

    /// SUNSUBSCRIBE on the channels' owners.
    public func unsubscribe(from channels: [String]) async throws {
        guard !channels.isEmpty else { return }
        let confirmations = self.state.withLock { state -> [EventLoopFuture<Void>] in
            let held = channels.filter { state.channels.contains($0) }
            state.channels.subtract(held)
            guard state.isLive, let topology = state.topology else { return [] }
            var byOwner: [RedisClusterNodeAddress: [String]] = [:]
            for channel in Set(held) {
                if let owner = topology.primary(ofSlot: RedisClusterSlot.of(key: channel)) {
                    byOwner[owner, default: []].append(channel)
                }
            }
            return byOwner.compactMap { owner, names in state.connections[owner]?.sendSubscription(.sunsubscribe, names) }
        }
        for confirmation in confirmations {
            // A connection that closed holds nothing any more; a refusal leaves nothing to undo.
            try? await confirmation.get()
        }
    }

    // MARK: Connections

    /// Reads the map, subscribes every held channel on its owner, and rebuilds after every
    /// change, until the calling task is cancelled or its service group shuts down gracefully;
    /// then closes its connections, ends ``events`` and returns. Call it once.
    public func run() async throws {
        try await runUntilCancelledOrShutDown { try await self.subscribeOnOwners() }
    }

    private func subscribeOnOwners() async throws {
        let backoff = self.configuration.reconnect.backoff
        let reader = RedisClusterTopologyReader(
            configuration: self.configuration, eventLoopGroup: self.eventLoopGroup, logger: self.logger)
        var attempt = 0
        var generation = 0
        defer {
            let connections = self.state.withLock { state in
                state.isShutdown = true
                state.isLive = false
                defer { state.connections = [:] }
                return Array(state.connections.values)
            }
            for connection in connections { connection.channel.close(promise: nil) }
            self.buffer.finish()
        }
        while !Task.isCancelled {
            var connections: [RedisClusterNodeAddress: RedisConnection] = [:]
            var wasLive = false
            do {
                let topology = try await reader.read(from: self.candidates())
                self.change.clear()
                for owner in try self.owners(of: self.channels, in: topology) {
                    connections[owner] = try await self.connect(owner)
                }
                let confirmations = try self.state.withLock { state -> [EventLoopFuture<Void>] in
                    state.topology = topology
                    state.connections = connections
                    var byOwner: [RedisClusterNodeAddress: [String]] = [:]
                    for channel in state.channels {
                        guard let owner = topology.primary(ofSlot: RedisClusterSlot.of(key: channel)) else {
                            throw Self.unserved(channel)
                        }
                        byOwner[owner, default: []].append(channel)
                    }
                    return try byOwner.map { owner, names in
                        // A channel subscribed since the connections were made, on a node without one.
                        guard let connection = connections[owner] else { throw Self.unserved(names[0]) }
                        return connection.sendSubscription(.ssubscribe, names)
                    }
                }
                for confirmation in confirmations { try await confirmation.get() }
                self.state.withLock { $0.isLive = true }
                wasLive = true
                self.logger.info(
                    "redis cluster subscriber connected",
                    metadata: [
                        "redis.attempt": "\(attempt)", "redis.channel.count": "\(self.channels.count)",
                        "redis.nodes": "\(connections.keys.map(\.description).sorted().joined(separator: ","))",
                    ])
                if generation > 0 { self.buffer.push(.reconnected) }
                generation += 1
                attempt = 0
                await self.waitForChange(reader: reader)
            } catch {
                self.logger.info(
                    "redis cluster subscriber could not subscribe",
                    metadata: [
                        "redis.error": "\((error as? RedisClientError)?.message ?? "\(error)")", "redis.attempt": "\(attempt)",
                    ])
            }
            self.state.withLock { state in
                state.isLive = false
                state.connections = [:]
            }
            for connection in connections.values { connection.channel.close(promise: nil) }
            if wasLive { self.buffer.push(.disconnected) }
            if Task.isCancelled { break }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            do { try await Task.sleep(for: delay) } catch { break }
        }
    }

    /// Returns when a connection closed, a node gave up a channel, a channel needs a node without
    /// a connection, or the map read every `refreshInterval` puts a held channel elsewhere.
    private func waitForChange(reader: RedisClusterTopologyReader) async {
        while !Task.isCancelled {
            if await self.change.wait(upTo: self.refreshInterval) { return }
            guard let topology = try? await reader.read(from: self.candidates()) else { continue }
            let moved = self.state.withLock { state in
                state.channels.contains { channel in
                    let slot = RedisClusterSlot.of(key: channel)
                    return topology.primary(ofSlot: slot) != state.topology?.primary(ofSlot: slot)
                }
            }
            if moved {
                self.logger.info("redis cluster subscriber: a channel's slot moved; subscribing on its new owner")
                return
            }
        }
    }

    private func connect(_ owner: RedisClusterNodeAddress) async throws -> RedisConnection {
        let buffer = self.buffer
        let change = self.change
        let logger = self.logger
        let sink: @Sendable (RedisPushMessage) -> Void = { message in
            switch message {
            case .message(let channel, let payload):
                buffer.push(.message(channel: String(buffer: channel), payload: payload))
            case .patternMessage:
                break
            case .shardChannelUnsubscribed(let channel):
                logger.info(
                    "redis cluster node gave up a shard channel's slot",
                    metadata: ["redis.channel": "\(String(buffer: channel))", "redis.node": "\(owner)"])
                change.signal()
            }
        }
        let connection = try await RedisConnection.connect(
            configuration: self.configuration.node(owner), eventLoopGroup: self.eventLoopGroup, pushSink: sink,
            logger: self.logger)
        connection.closeFuture.whenComplete { _ in
            let isCurrent = self.state.withLock { $0.connections[owner] === connection }
            if isCurrent { change.signal() }
        }
        return connection
    }

    private func owners(of channels: Set<String>, in topology: RedisClusterTopology) throws -> Set<RedisClusterNodeAddress> {
        var owners = Set<RedisClusterNodeAddress>()
        for channel in channels {
            guard let owner = topology.primary(ofSlot: RedisClusterSlot.of(key: channel)) else { throw Self.unserved(channel) }
            owners.insert(owner)
        }
        return owners
    }

    private func candidates() -> [RedisClusterNodeAddress] {
        let topology = self.state.withLock { $0.topology }
        var candidates = topology?.primaries ?? []
        candidates.append(self.seed)
        candidates += topology?.shards.flatMap(\.replicas) ?? []
        var seen = Set<RedisClusterNodeAddress>()
        return Array(candidates.filter { seen.insert($0).inserted }.prefix(RedisClusterClient.maxRefreshCandidates))
    }

    private static func unserved(_ channel: String) -> RedisClientError {
        RedisClientError(
            code: .notConnected,
            message:
                "no primary serves the slot of shard channel \(channel) yet (the cluster is failing over or resharding)")
    }
}
