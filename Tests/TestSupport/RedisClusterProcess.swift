import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real Redis Cluster on 127.0.0.1 for integration tests: `redis-server` processes with cluster
/// mode on, each on a free port with a free cluster bus port and its own directory, joined by
/// `redis-cli --cluster create`, all killed and removed at the end of
/// ``withCluster(primaries:replicasPerPrimary:nodeTimeout:options:_:)``.
///
/// Faults (``killPrimary(ofSlot:)``, ``failover(ofSlot:)``, ``migrateSlot(_:to:)``) return only
/// once every running node agrees on the new layout, so a test starts from a settled cluster.
/// Every wait is bounded by ``Options/settleTimeout`` and fails with the nodes' log tails. One
/// fault at a time: the actor's methods interleave at their waits.
///
/// Nodes are talked to over a plain socket (``send(_:to:authenticate:)``), not through the
/// product's client, so the harness can test that client.
public actor RedisClusterProcess {
    public struct Options: Sendable {
        /// A password (and user) every node requires, also between replicas and primaries.
        public var authentication: Authentication?
        /// More ACL file lines, e.g. `user reader on >pw ~* +@read`; with these the nodes use an ACL
        /// file instead of `--requirepass`.
        public var aclLines: [String]
        /// More `--name value` arguments for every node.
        public var extraArguments: [String]
        /// How long start-up and each fault may take before it fails.
        public var settleTimeout: Duration

        public init(
            authentication: Authentication? = nil, aclLines: [String] = [], extraArguments: [String] = [],
            settleTimeout: Duration = .seconds(30)
        ) {
            self.authentication = authentication
            self.aclLines = aclLines
            self.extraArguments = extraArguments
            self.settleTimeout = settleTimeout
        }
    }

    /// The credentials of the nodes: the default user's password, or a named ACL user.
    public struct Authentication: Sendable, Hashable {
        public var username: String?
        public var password: String

        /// `--requirepass password --masterauth password`.
        public static func password(_ password: String) -> Authentication {
            Authentication(username: nil, password: password)
        }

        /// An ACL user with every permission (`~* &* +@all`), `--masteruser` for replication; the
        /// default user is off.
        public static func user(_ username: String, password: String) -> Authentication {
            Authentication(username: username, password: password)
        }

        /// `AUTH password` or `AUTH username password`.
        var command: [String] {
            if let username = self.username { ["AUTH", username, self.password] } else { ["AUTH", self.password] }
        }
    }

    /// One running node as the cluster sees it.
    public struct Node: Sendable, Hashable {
        public enum Role: Sendable, Hashable {
            case primary
            /// A replica of the primary on this port.
            case replica(of: Int)
        }

        public var port: Int
        public var id: String
        public var role: Role
        /// The slots it serves (empty for a replica), as `CLUSTER NODES` lists them.
        public var slots: [ClosedRange<Int>]

        public var isPrimary: Bool { self.role == .primary }

        public func serves(slot: Int) -> Bool {
            self.slots.contains { $0.contains(slot) }
        }
    }

    /// A slot between ``beginMigration(slot:to:moving:)`` and ``finishMigration(_:)``: the source
    /// `MIGRATING`, the target `IMPORTING`, `movedKeys` already on the target.
    public struct Migration: Sendable, Hashable {
        public var slot: Int
        public var sourcePort: Int
        public var targetPort: Int
        public var movedKeys: [String]
        var sourceID: String
        var targetID: String
    }

    struct Member: Sendable {
        var port: Int
        var busPort: Int
        var directory: URL
        var logFile: URL { self.directory.appendingPathComponent("redis.log") }
    }

    public static let slotCount = 16384

    /// Every node started, running or not, by port.
    public nonisolated let ports: [Int]
    /// The cluster's directory; one `node-<port>` directory per node inside.
    public nonisolated let directory: URL
    let options: Options
    let nodeTimeout: Duration
    let members: [Int: Member]
    var processes: [Int: Process] = [:]

    private init(members: [Member], directory: URL, nodeTimeout: Duration, options: Options) {
        self.ports = members.map(\.port)
        self.members = Dictionary(uniqueKeysWithValues: members.map { ($0.port, $0) })
        self.directory = directory
        self.nodeTimeout = nodeTimeout
        self.options = options
    }

    /// Starts `primaries × (1 + replicasPerPrimary)` nodes, joins them into a cluster, waits until
    /// every node reports `cluster_state:ok` and agrees on the layout with every replica in sync,
    /// runs `body`, and kills every node and removes the directory, also when `body` throws.
    ///
    /// `nodeTimeout` is `cluster-node-timeout`: a killed primary is failed over about 2-3 node
    /// timeouts later.
    public static func withCluster<T: Sendable>(
        primaries: Int = 3, replicasPerPrimary: Int = 1, nodeTimeout: Duration = .milliseconds(1000),
        options: Options = Options(),
        _ body: (RedisClusterProcess) async throws -> T
    ) async throws -> T {
        guard primaries >= 3, replicasPerPrimary >= 0 else {
            throw RedisClusterProcessError(message: "redis-cli --cluster create needs at least 3 primaries, got \(primaries)")
        }
        let count = primaries * (1 + replicasPerPrimary)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-cluster-\(UUID().uuidString)")
        let ports = try Self.distinctFreePorts(count: 2 * count)
        var members: [Member] = []
        for index in 0..<count {
            let port = ports[index]
            let member = Member(
                port: port, busPort: ports[count + index], directory: directory.appendingPathComponent("node-\(port)"))
            try FileManager.default.createDirectory(at: member.directory, withIntermediateDirectories: true)
            members.append(member)
        }
        let cluster = RedisClusterProcess(members: members, directory: directory, nodeTimeout: nodeTimeout, options: options)
        do {
            try await cluster.create(primaries: primaries, replicasPerPrimary: replicasPerPrimary)
            let result = try await body(cluster)
            await cluster.stopAll()
            try? FileManager.default.removeItem(at: directory)
            return result
        } catch {
            await cluster.stopAll()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Ports no two of which are the same (a node's port and bus port must differ from all others).
    private static func distinctFreePorts(count: Int) throws -> [Int] {
        var ports: [Int] = []
        for _ in 0..<count * 20 where ports.count < count {
            let port = try FreePort.next()
            if !ports.contains(port) { ports.append(port) }
        }
        guard ports.count == count else {
            throw RedisClusterProcessError(message: "found only \(ports.count) of \(count) distinct free ports")
        }
        return ports
    }

    // MARK: - Start and stop

    private func create(primaries: Int, replicasPerPrimary: Int) async throws {
        for port in self.ports {
            try self.launch(port)
        }
        for port in self.ports {
            try await self.waitUntilAccepting(port)
        }
        try await self.runClusterCreate(replicasPerPrimary: replicasPerPrimary)
        let total = self.ports.count
        try await self.waitUntilSettled(after: "creating the cluster") { nodes in
            guard nodes.count == total else { return "\(nodes.count) of \(total) nodes known" }
            let primaryPorts = nodes.filter(\.isPrimary).map(\.port)
            guard primaryPorts.count == primaries else { return "\(primaryPorts.count) of \(primaries) primaries" }
            for primary in primaryPorts {
                let replicas = nodes.filter { $0.role == .replica(of: primary) }.count
                if replicas != replicasPerPrimary { return "primary \(primary) has \(replicas) replicas" }
            }
            return nil
        }
    }

    private func arguments(for member: Member) throws -> [String] {
        let timeout = self.nodeTimeout.components
        let milliseconds = timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000
        var arguments = [
            "--port", String(member.port),
            "--cluster-port", String(member.busPort),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", member.directory.appendingPathComponent("nodes-\(member.port).conf").path,
            "--cluster-node-timeout", String(milliseconds),
            // A replica may always be promoted, however long it was cut off.
            "--cluster-replica-validity-factor", "0",
            // A replica's first sync (and a rejoined node's) starts at once, not after 5 s.
            "--repl-diskless-sync-delay", "0",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", member.directory.path,
        ]
        if let authentication = self.options.authentication, authentication.username == nil, self.options.aclLines.isEmpty {
            arguments += ["--requirepass", authentication.password, "--masterauth", authentication.password]
        } else if self.options.authentication != nil || !self.options.aclLines.isEmpty {
            var lines: [String] = []
            switch self.options.authentication {
            case .some(let authentication):
                if let username = authentication.username {
                    lines.append("user default off")
                    lines.append("user \(username) on >\(authentication.password) ~* &* +@all")
                    arguments += ["--masteruser", username, "--masterauth", authentication.password]
                } else {
                    lines.append("user default on >\(authentication.password) ~* &* +@all")
                    arguments += ["--masterauth", authentication.password]
                }
            case .none:
                lines.append("user default on nopass ~* &* +@all")
            }
            let aclFile = member.directory.appendingPathComponent("users.acl")
            try ((lines + self.options.aclLines).joined(separator: "\n") + "\n").write(
                to: aclFile, atomically: true, encoding: .utf8)
            arguments += ["--aclfile", aclFile.path]
        }
        return arguments + self.options.extraArguments
    }

    /// Starts the node's `redis-server`, its standard output and error appended to its `redis.log`.
    private func launch(_ port: Int) throws {
        guard self.processes[port] == nil, let member = self.members[port] else { return }
        if !FileManager.default.fileExists(atPath: member.logFile.path) {
            guard FileManager.default.createFile(atPath: member.logFile.path, contents: nil) else {
                throw RedisClusterProcessError(message: "cannot create \(member.logFile.path)")
            }
        }
        let log = try FileHandle(forWritingTo: member.logFile)
        defer { try? log.close() }
        try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = try self.arguments(for: member)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.processes[port] = process
    }

    private func waitUntilAccepting(_ port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let process = self.processes[port], RedisServerProcess.isAlive(process) else {
                self.processes[port] = nil
                throw RedisClusterProcessError(message: "redis-server on port \(port) exited at start\n\(self.logTails())")
            }
            // Any answer will do, NOAUTH included.
            if (try? await self.exchange(port: port, commands: [["PING"]], timeout: .seconds(1))) != nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RedisClusterProcessError(
            message: "redis-server did not accept connections on 127.0.0.1:\(port) within 10 s\n\(self.logTails())")
    }

    /// `redis-cli --cluster create … --cluster-replicas N --cluster-yes`, its output in the
    /// cluster directory, killed after the settle timeout.
    private func runClusterCreate(replicasPerPrimary: Int) async throws {
        let outputFile = self.directory.appendingPathComponent("cluster-create.log")
        guard FileManager.default.createFile(atPath: outputFile.path, contents: nil) else {
            throw RedisClusterProcessError(message: "cannot create \(outputFile.path)")
        }
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        var arguments = ["--cluster", "create"] + self.ports.map { "127.0.0.1:\($0)" }
        arguments += ["--cluster-replicas", String(replicasPerPrimary), "--cluster-yes"]
        var environment = ProcessInfo.processInfo.environment
        if let authentication = self.options.authentication {
            // The password through the environment: not in `ps`, and no warning about it.
            environment["REDISCLI_AUTH"] = authentication.password
            if let username = authentication.username { arguments += ["--user", username] }
        }
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Success is read from the output, not the exit status: `waitUntilExit` and
        // `terminationStatus` wait for Foundation to reap the child, which can lag by seconds.
        let deadline = ContinuousClock.now + self.options.settleTimeout
        while RedisServerProcess.isAlive(process) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let wasKilled = RedisServerProcess.isAlive(process)
        if wasKilled {
            Foundation.kill(process.processIdentifier, SIGKILL)
            await RedisServerProcess.waitForExit(process)
        }
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard !wasKilled, text.contains("[OK] All \(Self.slotCount) slots covered") else {
            throw RedisClusterProcessError(
                message: """
                    redis-cli --cluster create \(wasKilled ? "killed after \(self.options.settleTimeout)" : "failed"):
                    \(text.suffix(3000))
                    \(self.logTails())
                    """)
        }
    }

    /// Kills every node (no persistence, so nothing to save) and waits until they are gone.
    func stopAll() async {
        for port in self.processes.keys.sorted() {
            await self.kill(node: port)
        }
    }

    /// Kills the node with SIGKILL, as a crash would, and waits until the process is gone; does not
    /// wait for the cluster to notice (see ``killPrimary(ofSlot:)`` and ``waitUntilSettled()``).
    public func kill(node port: Int) async {
        guard let process = self.processes.removeValue(forKey: port) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await RedisServerProcess.waitForExit(process)
    }

    /// Starts a killed node again on its port with its `nodes.conf`, and waits until the cluster
    /// has taken it back: a failed-over primary rejoins as a replica of its successor, synced.
    public func restart(node port: Int) async throws {
        guard self.members[port] != nil else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(port) is not a node of this cluster (\(self.ports))")
        }
        guard self.processes[port] == nil else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(port) is running; kill it before restarting it")
        }
        try self.launch(port)
        try await self.waitUntilAccepting(port)
        try await self.waitUntilSettled(after: "restarting 127.0.0.1:\(port)") { nodes in
            nodes.contains { $0.port == port } ? nil : "127.0.0.1:\(port) not known yet"
        }
    }

    /// The ports of the nodes that run now.
    public var runningPorts: [Int] { self.processes.keys.sorted() }

    // MARK: - Commands

    /// Sends one command to the node on `port` (after `AUTH` when the cluster has credentials,
    /// unless `authenticate` is false) and returns its reply; error replies (`MOVED`, `ASK`,
    /// `NOAUTH`) are values, not thrown.
    public func send(_ command: [String], to port: Int, authenticate: Bool = true) async throws -> Reply {
        let replies = try await self.send([command], to: port, authenticate: authenticate)
        guard let reply = replies.first else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(port) sent no reply to \(command.first ?? "")")
        }
        return reply
    }

    /// Sends `commands` pipelined on one connection (e.g. `ASKING` then `GET`), one reply each.
    public func send(_ commands: [[String]], to port: Int, authenticate: Bool = true) async throws -> [Reply] {
        guard authenticate, let authentication = self.options.authentication else {
            return try await self.exchange(port: port, commands: commands, timeout: .seconds(5))
        }
        let replies = try await self.exchange(port: port, commands: [authentication.command] + commands, timeout: .seconds(5))
        guard replies.first == .status("OK") else {
            throw RedisClusterProcessError(message: "AUTH on 127.0.0.1:\(port) answered \(replies.first ?? .null)")
        }
        return Array(replies.dropFirst())
    }

    /// A command that must succeed: its reply, or an error naming the command (or `label`) and node.
    @discardableResult
    func command(_ command: [String], on port: Int, label: String? = nil) async throws -> Reply {
        let reply = try await self.send(command, to: port)
        if let message = reply.errorMessage {
            let name = label ?? command.joined(separator: " ")
            throw RedisClusterProcessError(message: "\(name) on 127.0.0.1:\(port) failed: \(message)")
        }
        return reply
    }

    /// The blocking exchange on NIO's thread pool, off the cooperative threads.
    func exchange(port: Int, commands: [[String]], timeout: Duration) async throws -> [Reply] {
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try RedisLoopbackExchange.exchange(port: port, commands: commands, timeout: timeout)
            }
        } catch let failure as RedisLoopbackExchange.Failure {
            throw RedisClusterProcessError(message: failure.message)
        }
    }

    // MARK: - Queries

    /// The running nodes by port, as the lowest running port sees them. After start-up and after
    /// every fault all running nodes agree on this; after a bare ``kill(node:)`` it throws until the
    /// cluster has settled again (a replica of the killed node follows no running primary).
    public func nodes() async throws -> [Node] {
        let running = Set(self.runningPorts)
        guard let port = running.min() else { throw RedisClusterProcessError(message: "no node of the cluster runs") }
        let reply = try await self.command(["CLUSTER", "NODES"], on: port)
        guard let text = reply.string else {
            throw RedisClusterProcessError(message: "CLUSTER NODES on 127.0.0.1:\(port) answered \(reply)")
        }
        return try ClusterNodesView(parsing: text).nodes(seenFrom: port, running: running)
    }

    /// The port of the primary serving `slot`.
    public func primary(ofSlot slot: Int) async throws -> Int {
        try Self.primary(ofSlot: slot, in: try await self.nodes()).port
    }

    /// The ports of the replicas of the primary on `primaryPort`.
    public func replicas(of primaryPort: Int) async throws -> [Int] {
        try await self.nodes().filter { $0.role == .replica(of: primaryPort) }.map(\.port)
    }

    /// The hash slot of `key`, as the server computes it (`CLUSTER KEYSLOT`).
    public func slot(ofKey key: String) async throws -> Int {
        guard let port = self.runningPorts.first else { throw RedisClusterProcessError(message: "no node of the cluster runs") }
        let reply = try await self.command(["CLUSTER", "KEYSLOT", key], on: port)
        guard case .integer(let slot) = reply else {
            throw RedisClusterProcessError(message: "CLUSTER KEYSLOT on 127.0.0.1:\(port) answered \(reply)")
        }
        return slot
    }

    static func primary(ofSlot slot: Int, in nodes: [Node]) throws -> Node {
        guard (0..<Self.slotCount).contains(slot) else {
            throw RedisClusterProcessError(message: "slot \(slot) is not in 0..<\(Self.slotCount)")
        }
        guard let primary = nodes.first(where: { $0.isPrimary && $0.serves(slot: slot) }) else {
            throw RedisClusterProcessError(message: "no running primary serves slot \(slot)")
        }
        return primary
    }

    // MARK: - Faults

    /// Kills the primary serving `slot` with SIGKILL, waits until one of its replicas is promoted
    /// and every surviving node reports `cluster_state:ok` and agrees, and returns the new
    /// primary's port. ``restart(node:)`` brings the killed node back.
    @discardableResult
    public func killPrimary(ofSlot slot: Int) async throws -> Int {
        let nodes = try await self.nodes()
        let primary = try Self.primary(ofSlot: slot, in: nodes)
        let replicas = nodes.filter { $0.role == .replica(of: primary.port) }.map(\.port)
        guard !replicas.isEmpty else {
            throw RedisClusterProcessError(
                message: "127.0.0.1:\(primary.port), the primary of slot \(slot), has no replica to promote")
        }
        await self.kill(node: primary.port)
        let action = "killing 127.0.0.1:\(primary.port), the primary of slot \(slot)"
        let settled = try await self.waitUntilSettled(after: action) { nodes in
            let owner = try? Self.primary(ofSlot: slot, in: nodes)
            return owner.map { replicas.contains($0.port) } == true ? nil : "slot \(slot) not on a promoted replica"
        }
        return try Self.primary(ofSlot: slot, in: settled).port
    }

    /// A graceful manual failover (`CLUSTER FAILOVER` on a replica) of the primary serving `slot`;
    /// waits until the replica serves the slot, the old primary follows it in sync, and every node
    /// agrees. Returns the new primary's port.
    @discardableResult
    public func failover(ofSlot slot: Int) async throws -> Int {
        let nodes = try await self.nodes()
        let primary = try Self.primary(ofSlot: slot, in: nodes)
        guard let replica = nodes.first(where: { $0.role == .replica(of: primary.port) })?.port else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(primary.port), the primary of slot \(slot), has no replica")
        }
        try await self.command(["CLUSTER", "FAILOVER"], on: replica)
        try await self.waitUntilSettled(after: "CLUSTER FAILOVER on 127.0.0.1:\(replica) for slot \(slot)") { nodes in
            guard (try? Self.primary(ofSlot: slot, in: nodes))?.port == replica else {
                return "slot \(slot) not on \(replica) yet"
            }
            let old = nodes.first { $0.port == primary.port }
            return old?.role == .replica(of: replica) ? nil : "127.0.0.1:\(primary.port) does not follow \(replica) yet"
        }
        return replica
    }

    /// Moves `slot` with its keys to the primary on `targetPort`, as `redis-cli --cluster reshard`
    /// does for one slot, and waits until every node agrees that the target serves it.
    public func migrateSlot(_ slot: Int, to targetPort: Int, pauseBeforeAssignment: Duration = .zero) async throws {
        let migration = try await self.beginMigration(slot: slot, to: targetPort)
        try await self.finishMigration(migration, pauseBeforeAssignment: pauseBeforeAssignment)
    }

    /// The first half of a migration: `CLUSTER SETSLOT slot IMPORTING` on the target, `MIGRATING`
    /// on the source, then `keys` (which must hash to `slot`) moved with `MIGRATE`. The source
    /// now answers `ASK` for the moved keys and the target serves them after `ASKING`.
    public func beginMigration(slot: Int, to targetPort: Int, moving keys: [String] = []) async throws -> Migration {
        let nodes = try await self.nodes()
        let source = try Self.primary(ofSlot: slot, in: nodes)
        guard let target = nodes.first(where: { $0.port == targetPort }), target.isPrimary else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(targetPort) is not a running primary")
        }
        guard target.port != source.port else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(targetPort) already serves slot \(slot)")
        }
        try await self.command(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", source.id], on: target.port)
        try await self.command(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", target.id], on: source.port)
        if !keys.isEmpty {
            try await self.migrate(keys, from: source.port, to: target.port)
        }
        return Migration(
            slot: slot, sourcePort: source.port, targetPort: target.port, movedKeys: keys, sourceID: source.id,
            targetID: target.id)
    }

    /// The second half: moves the slot's remaining keys (`CLUSTER GETKEYSINSLOT` + `MIGRATE`, 100 at
    /// a time), assigns the slot with `CLUSTER SETSLOT slot NODE` on the target, the source and
    /// every other primary, and waits until every node agrees.
    ///
    /// `pauseBeforeAssignment` stretches the moment when every key is on the target but the slot
    /// is still the source's (a big slot, a slow resharding tool): the source answers `ASK` for
    /// the keys and the target runs the commands after `ASKING`, so a script's `SPUBLISH` there
    /// reaches the target's shard channel subscribers, not the source's.
    public func finishMigration(_ migration: Migration, pauseBeforeAssignment: Duration = .zero) async throws {
        let slot = String(migration.slot)
        let primaries = try await self.nodes().filter(\.isPrimary).map(\.port)
        let deadline = ContinuousClock.now + self.options.settleTimeout
        while true {
            guard ContinuousClock.now < deadline else {
                throw RedisClusterProcessError(
                    message:
                        "slot \(slot) still had keys on 127.0.0.1:\(migration.sourcePort) after \(self.options.settleTimeout)")
            }
            let reply = try await self.command(["CLUSTER", "GETKEYSINSLOT", slot, "100"], on: migration.sourcePort)
            guard case .array(let elements) = reply else {
                throw RedisClusterProcessError(message: "CLUSTER GETKEYSINSLOT answered \(reply)")
            }
            let keys = elements.compactMap(\.string)
            if keys.isEmpty { break }
            try await self.migrate(keys, from: migration.sourcePort, to: migration.targetPort)
        }
        if pauseBeforeAssignment > .zero { try await Task.sleep(for: pauseBeforeAssignment) }
        // The target first, so it serves the slot before the source stops answering ASK.
        let assign = ["CLUSTER", "SETSLOT", slot, "NODE", migration.targetID]
        try await self.command(assign, on: migration.targetPort)
        try await self.command(assign, on: migration.sourcePort)
        for port in primaries where port != migration.sourcePort && port != migration.targetPort {
            try await self.command(assign, on: port)
        }
        try await self.waitUntilSettled(after: "moving slot \(slot) to 127.0.0.1:\(migration.targetPort)") { nodes in
            (try? Self.primary(ofSlot: migration.slot, in: nodes))?.port == migration.targetPort
                ? nil : "slot \(slot) not on \(migration.targetPort) yet"
        }
    }

    private func migrate(_ keys: [String], from source: Int, to target: Int) async throws {
        var command = ["MIGRATE", "127.0.0.1", String(target), "", "0", "5000"]
        if let authentication = self.options.authentication {
            if let username = authentication.username {
                command += ["AUTH2", username, authentication.password]
            } else {
                command += ["AUTH", authentication.password]
            }
        }
        let label = "MIGRATE of \(keys.count) keys to 127.0.0.1:\(target)"
        try await self.command(command + ["KEYS"] + keys, on: source, label: label)
    }

    // MARK: - Logs

    /// Everything the node on `port` wrote to standard output and error, across restarts.
    public nonisolated func log(of port: Int) -> String {
        let file = self.directory.appendingPathComponent("node-\(port)").appendingPathComponent("redis.log")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// The last lines of every node's log, for error messages.
    func logTails(lines: Int = 12) -> String {
        self.ports.map { port in
            let tail = self.log(of: port).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            let state = self.processes[port] == nil ? "stopped" : "running"
            return "--- 127.0.0.1:\(port) (\(state)) redis.log, last \(lines) lines\n" + tail.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// What went wrong starting or changing the cluster, with the nodes' log tails when they help.
public struct RedisClusterProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }

    public init(message: String) {
        self.message = message
    }
}
