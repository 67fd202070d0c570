import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A command client for a Redis Cluster: it learns which primary serves each hash slot from any
/// node (``RedisClusterTopology``), keeps one pipelined, reconnecting ``RedisClient`` per primary,
/// and sends each command to the primary of its key's slot.
///
/// Redirections are followed as the cluster specification says: `MOVED` patches the map (and
/// asks for a full refresh), `ASK` sends the command once to the importing node after `ASKING`.
/// `TRYAGAIN`, `CLUSTERDOWN` and a primary that cannot be reached (a failover under way) are
/// retried with a short backoff and a fresh map, within the connect timeout. A command that may
/// have run (the connection closed while it was in flight) is never sent again: the caller gets
/// `.connectionClosed`, as from ``RedisClient``.
///
/// Run ``run()`` in a task group (or as a service) for as long as the client is used: it reads
/// the map at once, again every `refreshInterval` and after each `MOVED`, and runs the per-node
/// clients.
public final class RedisClusterClient: RedisCommandSending, Service {
    public let configuration: RedisConfiguration
    /// How often the map is read again when nothing asked for it.
    public let refreshInterval: Duration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let seed: RedisClusterNodeAddress
    private let state = Mutex(State())
    private let nodeStarts: AsyncStream<Node>.Continuation
    private let nodeStartStream: AsyncStream<Node>
    private let refreshRequests: AsyncStream<Void>.Continuation
    private let refreshRequestStream: AsyncStream<Void>

    /// Redirections one command follows before it fails (a map that keeps changing under it).
    static let maxRedirections = 8
    /// Nodes the client keeps a connection to; a map naming more is cut here.
    static let maxNodes = 64
    /// Nodes asked for the map in one refresh before it gives up until the next.
    static let maxRefreshCandidates = 8

    private struct State {
        var topology: RedisClusterTopology?
        var nodes: [RedisClusterNodeAddress: Node] = [:]
        var refreshWaiters: [CheckedContinuation<Void, Never>]?
        /// Why the last map read failed, for the error of a command that found no node.
        var lastRefreshError: RedisClientError?
        var isShutdown = false
    }

    /// One primary's reconnecting client and the signal that stops it.
    private final class Node: Sendable {
        let address: RedisClusterNodeAddress
        let client: RedisClient
        private let stopSignal: AsyncStream<Void>
        private let stopContinuation: AsyncStream<Void>.Continuation

        init(address: RedisClusterNodeAddress, client: RedisClient) {
            self.address = address
            self.client = client
            (self.stopSignal, self.stopContinuation) = AsyncStream.makeStream(of: Void.self)
        }

        /// Runs the client until ``stop()`` or cancellation.
        func run() async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await self.client.run() }
                group.addTask { for await _ in self.stopSignal {} }
                await group.next()
                group.cancelAll()
            }
        }

        func stop() { self.stopContinuation.finish() }
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
        (self.nodeStartStream, self.nodeStarts) = AsyncStream.makeStream(of: Node.self)
        (self.refreshRequestStream, self.refreshRequests) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.refreshRequests.yield()
    }

    /// The newest map, once one node answered.
    public var topology: RedisClusterTopology? { self.state.withLock { $0.topology } }

    /// Reads the map and runs the per-node clients until the calling task is cancelled or its
    /// service group shuts down gracefully; then closes every connection and returns. Call it once.
    public func run() async throws {
        try await runUntilCancelledOrShutDown { try await self.runNodes() }
    }

    private func runNodes() async throws {
        defer {
            let nodes = self.state.withLock { state in
                state.isShutdown = true
                return Array(state.nodes.values)
            }
            for node in nodes { node.stop() }
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: self.refreshInterval) } catch { return }
                    self.refreshRequests.yield()
                }
            }
            group.addTask { await self.refreshOnRequest() }
            for await node in self.nodeStartStream {
                group.addTask { await node.run() }
            }
            group.cancelAll()
        }
    }

    private func refreshOnRequest() async {
        var failures = 0
        for await _ in self.refreshRequestStream {
            if await self.refreshTopology() {
                failures = 0
                continue
            }
            failures += 1
            let delay = self.configuration.reconnect.backoff.delay(attempt: failures - 1)
            do { try await Task.sleep(for: delay) } catch { return }
            self.refreshRequests.yield()
        }
    }

    // MARK: Commands

    public func send(_ arguments: [ByteBuffer]) async throws -> RESPValue {
        let route = RedisClusterCommandRoute(arguments)
        let deadline = ContinuousClock.now + self.configuration.timeouts.connect
        var redirections = 0
        var retries = 0
        var askTarget: RedisClusterNodeAddress?
        while true {
            let address: RedisClusterNodeAddress
            if let target = askTarget {
                address = target
            } else if let owner = await self.owner(of: route) {
                address = owner
            } else {
                retries += 1
                let isMisconfigured = self.state.withLock { $0.lastRefreshError?.code == .invalidConfiguration }
                guard ContinuousClock.now < deadline, !isMisconfigured else { throw self.unserved(route) }
                try await Task.sleep(for: Self.retryDelay(retries))
                // A map read mid-failover can lack the slot: read it again rather than wait for
                // the periodic refresh.
                _ = await self.refreshTopology()
                continue
            }
            let client = try self.client(for: address)
            do {
                guard askTarget != nil else { return try await client.send(arguments) }
                askTarget = nil
                let replies = try await client.pipeline([[ByteBuffer(string: "ASKING")], arguments])
                guard replies.count == 2 else { throw RedisClientError.unexpected(.array(replies), expected: "two replies") }
                if case .error(let message) = replies[1] {
                    throw RedisClientError.server(String(buffer: message), command: arguments.first.map { String(buffer: $0) })
                }
                return replies[1]
            } catch let error as RedisClientError {
                switch Self.recovery(from: error, answeredBy: address) {
                case .redirect(let redirection):
                    redirections += 1
                    guard redirections <= Self.maxRedirections else { throw self.tooManyRedirections(error) }
                    switch redirection {
                    case .moved(let slot, let owner):
                        self.state.withLock { $0.topology?.assign(slot: slot, to: owner) }
                        self.refreshRequests.yield()
                    case .ask(_, let importing):
                        askTarget = importing
                    }
                case .retry:
                    retries += 1
                    guard ContinuousClock.now < deadline else { throw error }
                    try await Task.sleep(for: Self.retryDelay(retries))
                    _ = await self.refreshTopology()
                case .fail:
                    throw error
                }
            }
        }
    }

    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await self.send(arguments.map { ByteBuffer(string: $0) })
    }

    /// Writes the commands to their nodes, one pipeline per node, and answers in the caller's
    /// order. A command a node redirected or could not take (`MOVED`, `ASK`, `TRYAGAIN`, not
    /// connected: it did not run) is sent again on its own through ``send(_:)-([ByteBuffer])``.
    public func pipeline(_ commands: [[ByteBuffer]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        // Routes first, then every owner under one lock (the map is read once per pipeline).
        let routes = commands.map(RedisClusterCommandRoute.init)
        var owners = self.owners(of: routes)
        if owners == nil {
            _ = await self.refreshTopology()
            owners = self.owners(of: routes)
        }
        var alone: [Int] = []
        // `nil` indexes: every command, in order (all of them go to one node: no regrouping).
        var groups: [(address: RedisClusterNodeAddress, indexes: [Int]?)] = []
        if let owners, let first = owners[0], owners.allSatisfy({ $0 == first }) {
            groups = [(first, nil)]
        } else {
            var byNode: [RedisClusterNodeAddress: [Int]] = [:]
            for (index, owner) in (owners ?? []).enumerated() {
                if let owner { byNode[owner, default: []].append(index) } else { alone.append(index) }
            }
            if owners == nil { alone = Array(commands.indices) }
            groups = byNode.map { (address: $0.key, indexes: Optional($0.value)) }
        }
        var results = [RESPValue](repeating: .null, count: commands.count)
        for (address, indexes) in groups {
            do {
                let batch = indexes.map { list in list.map { commands[$0] } } ?? commands
                let replies = try await self.client(for: address).pipeline(batch)
                for position in 0..<(indexes?.count ?? commands.count) {
                    let index = indexes?[position] ?? position
                    let reply = position < replies.count ? replies[position] : .null
                    if case .error(let message) = reply, Self.isRetryable(serverMessage: String(buffer: message)) {
                        alone.append(index)
                    } else {
                        results[index] = reply
                    }
                }
            } catch let error as RedisClientError where Self.neverWritten(error) {
                alone += indexes ?? Array(commands.indices)
            }
        }
        for index in alone.sorted() {
            do {
                results[index] = try await self.send(commands[index])
            } catch let error as RedisClientError where error.code == .serverError {
                results[index] = .error(ByteBuffer(string: error.serverMessage ?? error.message))
            }
        }
        return results
    }

    /// Classic PUBLISH, which a cluster broadcasts to every node: sent to any primary. The counts
    /// are that node's own subscribers.
    @discardableResult
    public func publish(_ messages: [ByteBuffer], to channel: String) async throws -> [Int] {
        let channelBuffer = ByteBuffer(string: channel)
        let publish = ByteBuffer(string: "PUBLISH")
        let replies = try await self.pipeline(messages.map { [publish, channelBuffer, $0] })
        return try replies.map { reply in
            if case .error(let message) = reply { throw RedisClientError.server(String(buffer: message), command: "PUBLISH") }
            guard let count = reply.int else { throw RedisClientError.unexpected(reply, expected: "a receiver count") }
            return count
        }
    }

    // MARK: Routing

    private enum Recovery {
        case redirect(RedisClusterRedirection)
        case retry
        case fail
    }

    private static func recovery(from error: RedisClientError, answeredBy address: RedisClusterNodeAddress) -> Recovery {
        if error.code == .serverError, let message = error.serverMessage {
            if let redirection = RedisClusterRedirection(serverMessage: message, answeredBy: address.host) {
                return .redirect(redirection)
            }
            return Self.isRetryable(serverMessage: message) ? .retry : .fail
        }
        return Self.neverWritten(error) ? .retry : .fail
    }

    /// Errors of a command that never reached a node, so sending it again cannot run it twice.
    private static func neverWritten(_ error: RedisClientError) -> Bool {
        error.code == .notConnected || error.code == .connectTimeout || error.code == .connectionFailed
    }

    /// `MOVED`, `ASK` (answered again through ``send(_:)-([ByteBuffer])``), `TRYAGAIN` (a multi-key
    /// command during a migration) and `CLUSTERDOWN` (no quorum yet, a failover under way).
    private static func isRetryable(serverMessage: String) -> Bool {
        serverMessage.hasPrefix("MOVED ") || serverMessage.hasPrefix("ASK ") || serverMessage.hasPrefix("TRYAGAIN")
            || serverMessage.hasPrefix("CLUSTERDOWN")
    }

    private static func retryDelay(_ retry: Int) -> Duration {
        .milliseconds(min(1000, 25 << min(retry, 6)))
    }

    /// The primary for `route`, reading the map first when there is none yet.
    private func owner(of route: RedisClusterCommandRoute) async -> RedisClusterNodeAddress? {
        if self.topology == nil { _ = await self.refreshTopology() }
        return self.state.withLock { state in
            guard let topology = state.topology else { return nil }
            switch route {
            case .slot(let slot): return topology.primary(ofSlot: slot)
            case .anyPrimary: return topology.primaries.randomElement()
            }
        }
    }

    /// The primary for each route under one lock; `nil` while the client has no map.
    private func owners(of routes: [RedisClusterCommandRoute]) -> [RedisClusterNodeAddress?]? {
        self.state.withLock { state in
            guard let topology = state.topology else { return nil }
            return routes.map { route in
                switch route {
                case .slot(let slot): topology.primary(ofSlot: slot)
                case .anyPrimary: topology.primaries.randomElement()
                }
            }
        }
    }

    /// The client of `address`, started now if the client has none yet (a node a `MOVED` named).
    private func client(for address: RedisClusterNodeAddress) throws -> RedisClient {
        let (node, isNew) = try self.state.withLock { state -> (Node, Bool) in
            guard !state.isShutdown else {
                throw RedisClientError(code: .shutdown, message: "the Redis Cluster client for \(self.seed) has shut down")
            }
            if let node = state.nodes[address] { return (node, false) }
            guard state.nodes.count < Self.maxNodes else {
                throw RedisClientError(
                    code: .notConnected,
                    message: "the Redis Cluster client for \(self.seed) already holds \(Self.maxNodes) node connections")
            }
            let node = Node(address: address, client: self.makeClient(address))
            state.nodes[address] = node
            return (node, true)
        }
        if isNew { self.nodeStarts.yield(node) }
        return node.client
    }

    private func makeClient(_ address: RedisClusterNodeAddress) -> RedisClient {
        RedisClient(configuration: self.configuration.node(address), eventLoopGroup: self.eventLoopGroup, logger: self.logger)
    }

    private func unserved(_ route: RedisClusterCommandRoute) -> RedisClientError {
        let what = if case .slot(let slot) = route { "slot \(slot)" } else { "any slot" }
        let lastError = self.state.withLock { $0.lastRefreshError }
        let reason = lastError.map { ": \($0.message)" } ?? " (the cluster is down, forming, or failing over)"
        return RedisClientError(
            code: lastError?.code == .invalidConfiguration ? .invalidConfiguration : .notConnected,
            message: "no primary of the Redis Cluster at \(self.seed) serves \(what)\(reason)", underlying: lastError)
    }

    private func tooManyRedirections(_ last: RedisClientError) -> RedisClientError {
        RedisClientError(
            code: .serverError,
            message:
                "a command was redirected more than \(Self.maxRedirections) times in the Redis Cluster at \(self.seed); last: \(last.serverMessage ?? last.message)",
            serverMessage: last.serverMessage, underlying: last)
    }

    // MARK: The map

    /// Reads the map from the first node that answers (known primaries, the seed, then replicas)
    /// and starts and stops node clients to match. Concurrent callers share one read. Returns
    /// whether a node answered.
    @discardableResult
    public func refreshTopology() async -> Bool {
        let isReader = self.state.withLock { state -> Bool in
            guard state.refreshWaiters == nil else { return false }
            state.refreshWaiters = []
            return true
        }
        guard isReader else {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = self.state.withLock { state -> Bool in
                    guard state.refreshWaiters != nil else { return false }
                    state.refreshWaiters?.append(continuation)
                    return true
                }
                if !waiting { continuation.resume() }
            }
            return self.topology != nil
        }
        let topology: RedisClusterTopology?
        var failure: RedisClientError?
        do {
            topology = try await RedisClusterTopologyReader(
                configuration: self.configuration, eventLoopGroup: self.eventLoopGroup, logger: self.logger
            ).read(from: self.refreshCandidates())
        } catch {
            failure =
                error as? RedisClientError
                ?? RedisClientError(code: .notConnected, message: "reading the cluster's slot map failed", underlying: error)
            self.logger.warning(
                "redis cluster topology refresh failed", metadata: ["redis.error": "\(failure?.message ?? "\(error)")"])
            topology = nil
        }
        let (waiters, stopped) = self.state.withLock { state in
            let waiters = state.refreshWaiters ?? []
            state.refreshWaiters = nil
            state.lastRefreshError = failure
            guard let topology else { return (waiters, [Node]()) }
            if state.topology?.shards != topology.shards {
                self.logger.info(
                    "redis cluster topology",
                    metadata: [
                        "redis.primaries": "\(topology.primaries.map(\.description).joined(separator: ","))",
                        "redis.slots.covered": "\(topology.coveredSlotCount)",
                    ])
            }
            state.topology = topology
            let known = Set(topology.shards.flatMap { [$0.primary] + $0.replicas })
            let gone = state.nodes.values.filter { !known.contains($0.address) }
            for node in gone { state.nodes[node.address] = nil }
            return (waiters, gone)
        }
        for node in stopped { node.stop() }
        for waiter in waiters { waiter.resume() }
        guard let topology else { return false }
        for primary in topology.primaries.prefix(Self.maxNodes) { _ = try? self.client(for: primary) }
        return true
    }

    private func refreshCandidates() -> [RedisClusterNodeAddress] {
        let topology = self.topology
        var candidates = topology?.primaries ?? []
        candidates.append(self.seed)
        candidates += topology?.shards.flatMap(\.replicas) ?? []
        var seen = Set<RedisClusterNodeAddress>()
        return Array(candidates.filter { seen.insert($0).inserted }.prefix(Self.maxRefreshCandidates))
    }
}
