// `RedisBenchmark --cluster`: SPUBLISH throughput of RedisClusterClient against
// `redis-benchmark --cluster`, side by side, on a 3-primary cluster this run starts.
//
// The comparison, per round: `redis-benchmark --cluster -c 1 -P W` learns the slot map from the
// seed, sends W SPUBLISH commands to the node that serves the channel's slot, waits for their W
// replies, writes the next W. Ours does the same through the cluster client: `pipeline` of W
// SPUBLISH commands (routed by the client to the slot's owner), the next window written only when
// every reply of the last one is in and checked to be an integer. Around each phase `INFO
// commandstats` and `INFO errorstats` on every node check that all the phase's calls landed on
// the owner and that no node answered MOVED or ASK.
import BenchmarkSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Redis

/// The sharded channel: its hash tag puts it in one slot (15389), on one primary.
let clusterChannelName = "bench:{publish}"

/// Where `redis-benchmark --cluster -c 1` sends a custom command: not to the owner of the
/// command's key, but to the first primary that the seed's `CLUSTER NODES` lists (its one client
/// goes to `cluster_nodes[0]`; a MOVED reply to a command without `{tag}` makes it exit with
/// status 1). Redis 7.0.15, `src/redis-benchmark.c`, `createClient` and `fetchClusterConfiguration`.
/// So the run picks a seed whose list starts with the owner of `bench:{publish}`'s slot; when no
/// node's list does, the channel becomes `bench:{publish-N}` with the first N whose slot the
/// first-listed primary of the first node serves. Both sides then publish to the same channel.
struct ClusterTarget {
    var seed: Int
    var channel: String
    var owner: Int

    static func find(_ servers: RedisLoopbackServers) throws -> ClusterTarget {
        var firstPrimaries: [(seed: Int, port: Int, slots: [ClosedRange<Int>])] = []
        for seed in servers.ports {
            guard let first = try Self.firstPrimary(in: servers.cli(port: seed, ["CLUSTER", "NODES"])) else {
                throw BenchmarkError("CLUSTER NODES on 127.0.0.1:\(seed) lists no primary with slots")
            }
            firstPrimaries.append((seed, first.port, first.slots))
        }
        let slot = RedisClusterSlot.of(key: clusterChannelName)
        if let match = firstPrimaries.first(where: { $0.slots.contains { $0.contains(slot) } }) {
            return ClusterTarget(seed: match.seed, channel: clusterChannelName, owner: match.port)
        }
        let first = firstPrimaries[0]
        for number in 1...1_000 {
            let channel = "bench:{publish-\(number)}"
            let slot = RedisClusterSlot.of(key: channel)
            if first.slots.contains(where: { $0.contains(slot) }) {
                return ClusterTarget(seed: first.seed, channel: channel, owner: first.port)
            }
        }
        throw BenchmarkError("no channel bench:{publish-N} hashes to a slot of 127.0.0.1:\(first.port)")
    }

    /// The first primary line with slots in a `CLUSTER NODES` reply (`id host:port@bus flags master
    /// ping pong epoch state slot-ranges...`), as redis-benchmark reads it.
    static func firstPrimary(in nodes: String) -> (port: Int, slots: [ClosedRange<Int>])? {
        for line in nodes.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 8, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
            let address = fields[1].split(separator: "@")[0]
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                continue
            }
            let slots = fields[8...].compactMap { field -> ClosedRange<Int>? in
                let bounds = field.split(separator: "-").compactMap { Int($0) }
                guard !field.hasPrefix("["), let low = bounds.first, let high = bounds.last, low <= high else { return nil }
                return low...high
            }
            if !slots.isEmpty { return (port, slots) }
        }
        return nil
    }
}

/// The benchmark's logger: warnings only, so connection notices do not interleave with results.
let quietLogger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    return logger
}()

/// SPUBLISH calls and redirection errors per node, from `INFO commandstats` and `INFO errorstats`.
struct ClusterCallCounts {
    var spublish: [Int: Int] = [:]
    var redirections: [Int: Int] = [:]

    static func read(_ servers: RedisLoopbackServers) throws -> ClusterCallCounts {
        var counts = ClusterCallCounts()
        for port in servers.ports {
            let commands = try servers.cli(port: port, ["INFO", "commandstats"])
            counts.spublish[port] = Self.number(after: "cmdstat_spublish:calls=", in: commands) ?? 0
            let errors = try servers.cli(port: port, ["INFO", "errorstats"])
            counts.redirections[port] =
                (Self.number(after: "errorstat_MOVED:count=", in: errors) ?? 0)
                + (Self.number(after: "errorstat_ASK:count=", in: errors) ?? 0)
        }
        return counts
    }

    static func - (lhs: ClusterCallCounts, rhs: ClusterCallCounts) -> ClusterCallCounts {
        ClusterCallCounts(
            spublish: lhs.spublish.merging(rhs.spublish) { $0 - $1 },
            redirections: lhs.redirections.merging(rhs.redirections) { $0 - $1 })
    }

    private static func number(after key: String, in text: String) -> Int? {
        guard let range = text.range(of: key) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Checks that every one of `expected` calls ran on `owner` and none anywhere else, without a
    /// redirection; says where.
    func check(expected: Int, owner expectedOwner: Int, who: String) throws -> String {
        let total = self.spublish.values.reduce(0, +)
        let redirections = self.redirections.values.reduce(0, +)
        guard let (owner, calls) = self.spublish.max(by: { $0.value < $1.value }), owner == expectedOwner, calls == expected,
            total == expected, redirections == 0
        else {
            throw BenchmarkError(
                "\(who): SPUBLISH calls per node \(self.spublish.sorted { $0.key < $1.key }), expected \(expected) on \(expectedOwner); "
                    + "MOVED/ASK errors \(redirections)")
        }
        return "\(who): \(calls) SPUBLISH on 127.0.0.1:\(owner), 0 elsewhere, 0 MOVED/ASK"
    }
}

/// Windows of `window` SPUBLISH commands through `RedisClusterClient.pipeline`, one window at a
/// time; every reply checked to be an integer. The client's map and its connection to the owner
/// are set up before the clock starts (with `PUBSUB SHARDNUMSUB`, which goes to the same node).
func clusterPipelined(seed: Int, channel: String, messages: Int, window: Int, caller: Caller, payload: ByteBuffer)
    async throws -> Measurement
{
    // One loop for every node connection, so a caller pinned to it shares the owner's thread.
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var configuration = RedisConfiguration(port: seed)
    configuration.cluster = .enabled
    configuration.limits.maxPendingCommands = max(1_000, window * 2)
    let client = RedisClusterClient(configuration: configuration, eventLoopGroup: group, logger: quietLogger)
    let executor = EventLoopTaskExecutor(eventLoop: group.next())
    let command = [ByteBuffer(string: "SPUBLISH"), ByteBuffer(string: channel), payload]
    let batch = Array(repeating: command, count: window)
    let windows = max(1, messages / window)
    let run = { @Sendable () async throws -> Int in
        var sent = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while sent < windows * window && ContinuousClock.now < deadline {
            let replies = try await client.pipeline(batch)
            guard replies.count == window else { throw BenchmarkError("\(replies.count) replies to a window of \(window)") }
            for reply in replies {
                guard case .integer = reply else { throw BenchmarkError("unexpected SPUBLISH reply \(reply)") }
            }
            sent += window
        }
        return sent
    }
    let measurement = try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await client.run() }
        defer { tasks.cancelAll() }
        guard await client.refreshTopology() else { throw BenchmarkError("the cluster client read no slot map") }
        _ = try await client.send(["PUBSUB", "SHARDNUMSUB", channel])
        let cpuBefore = cpuSeconds(ofChildren: false)
        let start = ContinuousClock.now
        let sent: Int
        switch caller {
        case .onEventLoop: sent = try await withTaskExecutorPreference(executor) { try await run() }
        case .globalExecutor: sent = try await run()
        }
        let elapsed = ContinuousClock.now - start
        let cpu = cpuSeconds(ofChildren: false) - cpuBefore
        return Measurement(rate: Double(sent) / seconds(elapsed), cpuMicrosecondsPerMessage: cpu * 1e6 / Double(max(sent, 1)))
    }
    try await group.shutdownGracefully()
    return measurement
}

/// The same windows on one `RedisConnection` straight to the owner (no cluster client): what the
/// single-node client does with SPUBLISH, to tell the cluster client's own cost apart.
func ownerConnectionPipelined(port: Int, channel: String, messages: Int, window: Int, payload: ByteBuffer) async throws
    -> Measurement
{
    let connection = try await RedisConnection.connect(configuration: .init(port: port), logger: quietLogger)
    let batch = Array(repeating: [ByteBuffer(string: "SPUBLISH"), ByteBuffer(string: channel), payload], count: window)
    let deadline = ContinuousClock.now + .seconds(60)
    let cpuBefore = cpuSeconds(ofChildren: false)
    let start = ContinuousClock.now
    let sent = try await withTaskExecutorPreference(connection.taskExecutor) {
        var sent = 0
        while sent < messages && ContinuousClock.now < deadline {
            let replies = try await connection.pipeline(batch)
            guard replies.count == window, replies.allSatisfy({ if case .integer = $0 { true } else { false } }) else {
                throw BenchmarkError("unexpected SPUBLISH replies \(replies.prefix(2))")
            }
            sent += window
        }
        return sent
    }
    let elapsed = ContinuousClock.now - start
    let cpu = cpuSeconds(ofChildren: false) - cpuBefore
    await connection.close()
    return Measurement(rate: Double(sent) / seconds(elapsed), cpuMicrosecondsPerMessage: cpu * 1e6 / Double(max(sent, 1)))
}

func runClusterBenchmark(options: Options) async throws {
    let servers = try RedisLoopbackServers.startCluster(primaries: 3)
    servers.stopOnSignals()
    defer { servers.stop() }
    let target = try ClusterTarget.find(servers)
    let seed = target.seed
    let channel = target.channel
    let window = options.window
    let messages = options.messages
    let payloadText = String(repeating: "x", count: options.payload)
    let payload = ByteBuffer(string: payloadText)
    let slot = RedisClusterSlot.of(key: channel)
    let referenceArguments = redisBenchmarkArguments(
        port: seed, messages: messages, window: window, clients: 1, payload: payloadText, command: "SPUBLISH",
        channel: channel, isCluster: true)
    print(
        """
        SPUBLISH to "\(channel)" (slot \(slot), served by 127.0.0.1:\(target.owner)) of a \(options.payload)-byte payload, \(messages) messages per \
        measurement, one connection to the slot's owner, on a 3-primary Redis Cluster started on 127.0.0.1:\
        \(servers.ports.map(String.init).joined(separator: ",")) (no replicas), seed \(seed), no subscribers.
        Method: redis-benchmark --cluster -c 1 -P \(window) reads the node list from the seed and writes \(window) commands \
        to the first primary listed (the seed is chosen so that this is the owner), waits for all \(window) replies, writes the next \(window). Ours does the same with \
        RedisClusterClient.pipeline (a window of \(window) SPUBLISH commands routed to the owner and written at once, the \
        next only when every reply is in and checked), every node connection on one event loop and the caller on it \
        (withTaskExecutorPreference). Both in the same round against the same cluster; the ratio is per round. \
        CPU/msg: user+system CPU of that process (ours: the whole benchmark process) per message; redis: the three \
        redis-server processes' CPU (/proc/<pid>/stat, 10 ms ticks) per message over the phase. INFO commandstats and \
        errorstats on every node check each phase: all calls on the owner, none elsewhere, no MOVED or ASK.
        redis-benchmark: \(describe(redisBenchmark: referenceArguments))
        """
    )
    var ratios: [Double] = []
    var references: [Measurement] = []
    var ours: [Measurement] = []
    var serverCPU: (reference: [Double], ours: [Double]) = ([], [])
    for round in 1...options.rounds {
        var reference = Measurement(rate: 0, cpuMicrosecondsPerMessage: 0)
        var our = reference
        var checks: [String] = []
        for phase in (round % 2 == 1 ? [0, 1] : [1, 0]) {
            let countsBefore = try ClusterCallCounts.read(servers)
            let redisBefore = servers.cpuSeconds()
            if phase == 0 {
                reference = try redisBenchmark(
                    port: seed, messages: messages, window: window, clients: 1, payload: payloadText, command: "SPUBLISH",
                    channel: channel, isCluster: true)
            } else {
                our = try await clusterPipelined(
                    seed: seed, channel: channel, messages: messages, window: window, caller: .onEventLoop, payload: payload)
            }
            let redisMicroseconds = (servers.cpuSeconds() - redisBefore) * 1e6 / Double(messages)
            if phase == 0 { serverCPU.reference.append(redisMicroseconds) } else { serverCPU.ours.append(redisMicroseconds) }
            // Ours also sent one PUBSUB SHARDNUMSUB before the clock: not an SPUBLISH.
            checks.append(
                try (ClusterCallCounts.read(servers) - countsBefore).check(
                    expected: messages, owner: target.owner, who: phase == 0 ? "redis-benchmark" : "ours"))
        }
        let ratio = our.rate / max(reference.rate, 1)
        ratios.append(ratio)
        references.append(reference)
        ours.append(our)
        print(
            "round \(round): redis-benchmark --cluster -c 1 -P \(window) \(format(reference)) "
                + String(format: "(redis %.2f µs/msg)", serverCPU.reference.last ?? 0)
                + " | ours, RedisClusterClient window \(window) \(format(our)) "
                + String(format: "(redis %.2f µs/msg)", serverCPU.ours.last ?? 0) + " | "
                + String(format: "ratio %.0f%%", ratio * 100)
        )
        print("  checked: " + checks.joined(separator: "; "))
        fflush(nil)
    }
    print(
        String(
            format:
                "medians of %d rounds: redis-benchmark %.0f msg/s %.2f µs CPU/msg (redis %.2f) | ours %.0f msg/s %.2f µs CPU/msg "
                + "(redis %.2f) | ours / redis-benchmark %.0f%%",
            ratios.count, median(references.map(\.rate)), median(references.map(\.cpuMicrosecondsPerMessage)),
            median(serverCPU.reference), median(ours.map(\.rate)), median(ours.map(\.cpuMicrosecondsPerMessage)),
            median(serverCPU.ours), median(ratios) * 100))

    print("For reference (one run each, not part of the ratio):")
    let global = try await clusterPipelined(
        seed: seed, channel: channel, messages: messages, window: window, caller: .globalExecutor, payload: payload)
    print("\(format(global))  ours, RedisClusterClient window \(window), caller on the global executor")
    let direct = try await ownerConnectionPipelined(
        port: target.owner, channel: channel, messages: messages, window: window, payload: payload)
    let plain = try redisBenchmark(
        port: target.owner, messages: messages, window: window, clients: 1, payload: payloadText, command: "SPUBLISH",
        channel: channel)
    print(
        "\(format(plain))  redis-benchmark -c 1 -P \(window) without --cluster, straight to the owner 127.0.0.1:\(target.owner)")
    print(
        "\(format(direct))  RedisConnection straight to the owner 127.0.0.1:\(target.owner), window \(window), on its event loop")
}
