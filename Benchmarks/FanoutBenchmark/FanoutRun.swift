import BenchmarkSupport
import Foundation
import NIOCore
import NIOPosix

/// One run: a fresh relay (the gateway, or nginx + nchan for `--bus nchan`), `connections` load
/// clients that each subscribe to `aws-metrics`, then a measured window of `seconds` at `rate`
/// messages a second. With a Redis bus, a fresh `redis-server` (or 3-primary cluster) too, and
/// this process publishes (``RedisBusPublisher``).
struct FanoutRun {
    var loadProtocol: LoadProtocol
    var connections: Int
    var rate: Int
    var seconds: Int
    var setupSeconds: Int
    var holdSeconds = 0
    var binary: String
    var bus = BusKind.inProcess
    /// Where the relay and the rest run (`--pin`); nil: nothing is pinned.
    var pinning: CPUPinning?
    /// The gateway's event loops (`--gateway-loops`); nil for its default.
    var gatewayLoops: Int?

    /// What the gateway's environment adds for ``gatewayLoops``.
    private var loopEnvironment: [String: String] {
        gatewayLoops.map { ["NIO_SINGLETON_GROUP_LOOP_COUNT": String($0)] } ?? [:]
    }

    struct Result {
        var loadProtocol: LoadProtocol
        var connections: Int
        var rate: Int
        var subscribed: Int
        var setupSeconds: Double
        var setupFailures: String
        var deliveriesPerSecond: Double
        var p50: Int
        var p99: Int
        var p999: Int
        var lost: Int
        var duplicates: Int
        /// CPU time of the relay over the window: the gateway's process, or nginx's worker.
        var relayCPU: SystemProbe.CPUTime
        var clientCPU: SystemProbe.CPUTime
        var delivered: Int
        var machineBusy: Double
        var loadBefore: Double
        var loadAfter: Double
        /// The relay's RSS once its connections are set up, and right after it started.
        var rssMiB: Double
        var rssBeforeMiB: Double
        var relayThreads: Int
        var closedDuringWindow: Int
        var bus = BusKind.inProcess
        /// Messages this process published during the window (Redis buses only).
        var publishedInWindow = 0
        /// CPU time of the publishing thread during the window, µs (Redis buses only).
        var publisherCPU = 0.0
        /// CPU time of the redis-server processes during the window, µs (Redis buses only).
        var redisCPU = 0.0

        func perDelivery(_ micros: Double) -> Double { delivered > 0 ? micros / Double(delivered) : 0 }

        /// What the connections added to the relay's RSS, KiB per subscribed connection.
        var kibPerConnection: Double { subscribed > 0 ? (rssMiB - rssBeforeMiB) * 1024 / Double(subscribed) : 0 }
    }

    func run(group: MultiThreadedEventLoopGroup) async throws -> Result {
        guard bus != .inProcess else {
            let gateway = try GatewayProcess(
                binary: binary, bus: .inProcess(rate: rate), maxConnections: connections + 100, environment: loopEnvironment)
            defer { gateway.stop() }
            try pinning?.pinRelay(gateway.pids)
            return try await self.measure(group: group, relay: gateway, servers: nil, publisher: nil)
        }
        let servers = try bus == .cluster ? RedisLoopbackServers.startCluster(primaries: 3) : RedisLoopbackServers.startNode()
        defer { servers.stop() }
        progress("  \(bus.rawValue): redis-server on 127.0.0.1:\(servers.ports.map(String.init).joined(separator: ","))")
        let publisher = RedisBusPublisher(
            bus: bus, port: servers.ports[0], rate: rate, maxDuration: .seconds(setupSeconds + seconds + holdSeconds + 60))
        let outcome: Swift.Result<Result, any Error>
        do {
            let relay: any RelayProcess =
                bus == .nchan
                ? try NchanProcess(nginx: binary, redisPort: servers.ports[0], maxConnections: connections + 100)
                : try GatewayProcess(
                    binary: binary, bus: .redis, maxConnections: connections + 100,
                    environment: publisher.gatewayEnvironment.merging(loopEnvironment) { _, loops in loops })
            defer { relay.stop() }
            try pinning?.pinRelay(relay.pids)
            // SIGINT and SIGTERM end the relay with the servers.
            servers.stopOnSignals(alsoKilling: relay.pids, alsoRemoving: relay.folders)
            outcome = .success(
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { await publisher.run() }
                    defer { tasks.cancelAll() }
                    return try await self.measure(group: group, relay: relay, servers: servers, publisher: publisher)
                })
        } catch {
            outcome = .failure(error)
        }
        try await publisher.shutdown()
        return try outcome.get()
    }

    private func measure(
        group: MultiThreadedEventLoopGroup, relay: any RelayProcess, servers: RedisLoopbackServers?,
        publisher: RedisBusPublisher?
    ) async throws -> Result {
        let loadBefore = SystemProbe.loadAverage()
        let pid = relay.measuredPID
        let port = relay.port
        progress("  \(bus == .nchan ? "nginx worker" : "gateway") pid \(pid), port \(port)")
        try await Task.sleep(for: .milliseconds(500))
        let rssBefore = SystemProbe.rssMiB(pid: pid)

        let stats = LoadStats()
        let loadProtocol = self.loadProtocol
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        LoadClientHandler(
                            stats: stats, host: "127.0.0.1:\(port)", stream: "aws-metrics", protocol: loadProtocol))
                }
            }

        // Open in batches of 200; before the next batch, wait until all but 50 of the opened
        // connections have settled (subscribed, refused or closed), so the gateway is never
        // asked for thousands of handshakes at once and a stuck connection cannot stall the ramp.
        var channels: [any Channel] = []
        channels.reserveCapacity(connections)
        var connectErrors: [String: Int] = [:]
        let setupStart = Date()
        let setupDeadline = setupStart.addingTimeInterval(Double(setupSeconds))
        var opened = 0
        while opened < connections, Date() < setupDeadline {
            let batch = min(200, connections - opened)
            let futures = (0..<batch).map { _ in bootstrap.connect(host: "127.0.0.1", port: port) }
            for future in futures {
                do {
                    channels.append(try await future.get())
                } catch {
                    connectErrors["\(error)", default: 0] += 1
                }
            }
            opened += batch
            while stats.state.withLock({ $0.settled }) < channels.count - 50, Date() < setupDeadline {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        while stats.state.withLock({ $0.settled }) < channels.count, Date() < setupDeadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let setupSeconds = Date().timeIntervalSince(setupStart)
        try await Task.sleep(for: .seconds(2))
        let rss = SystemProbe.rssMiB(pid: pid)
        let threads = SystemProbe.threads(pid: pid)
        let setup = stats.state.withLock { $0 }
        let subscribed = setup.subscribed
        var failures: [String] = []
        let connectErrorCount = connectErrors.values.reduce(0, +)
        if connectErrorCount > 0 {
            failures.append(
                "\(connectErrorCount) TCP connects failed (\(connectErrors.keys.sorted().prefix(2).joined(separator: "; ")))")
        }
        if opened < connections { failures.append("\(connections - opened) never attempted (setup deadline)") }
        if setup.failed > 0 {
            failures.append("\(setup.failed) refused or errored (\(setup.failureSamples.prefix(2).joined(separator: "; ")))")
        }
        if setup.closedBeforeUpgrade > 0 { failures.append("\(setup.closedBeforeUpgrade) closed before the upgrade") }
        if setup.closedBeforeSubscribed > 0 { failures.append("\(setup.closedBeforeSubscribed) closed before subscribing") }
        let unsettled = channels.count - setup.settled
        if unsettled > 0 { failures.append("\(unsettled) still waiting at the setup deadline") }

        // Measure.
        let startSequence = stats.state.withLock { state in
            state.measuredFrom = state.maxSequence + 2
            return state.measuredFrom
        }
        let closedBefore = stats.state.withLock { $0.closed }
        let machineStart = SystemProbe.machineTicks()
        let relayStart = SystemProbe.cpu(pid: pid)
        let clientStart = SystemProbe.ownCPU()
        let publishedStart = publisher?.counts.withLock { $0.published } ?? 0
        let publisherStart = try await publisher?.threadCPUMicroseconds() ?? 0
        let redisStart = servers?.cpuSeconds() ?? 0
        let start = Date()
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = Date().timeIntervalSince(start)
        let relayCPU = SystemProbe.cpu(pid: pid) - relayStart
        let clientCPU = SystemProbe.ownCPU() - clientStart
        let publishedInWindow = (publisher?.counts.withLock { $0.published } ?? 0) - publishedStart
        let publisherCPU = (try await publisher?.threadCPUMicroseconds() ?? 0) - publisherStart
        let redisCPU = ((servers?.cpuSeconds() ?? 0) - redisStart) * 1e6
        if let publisher {
            let counts = publisher.counts.withLock { $0 }
            if let failure = counts.failure { throw BenchmarkError(message: "the publisher failed: \(failure)") }
            if counts.fenced > 0 { throw BenchmarkError(message: "\(counts.fenced) publishes were fenced") }
        }
        let machineBusy = SystemProbe.MachineTicks.busyFraction(from: machineStart, to: SystemProbe.machineTicks())
        let endSequence = stats.state.withLock { $0.maxSequence } - 1
        try await Task.sleep(for: .seconds(2))  // stragglers of the window

        let tally = stats.state.withLock { state -> (delivered: Int, lost: Int, duplicates: Int, closed: Int) in
            var delivered = 0
            var lost = 0
            if endSequence >= startSequence {
                for sequence in startSequence...endSequence {
                    let count = sequence < state.perSequence.count ? state.perSequence[sequence] : 0
                    delivered += count
                    lost += max(0, subscribed - count)
                }
            }
            return (delivered, lost, state.duplicates, state.closed - closedBefore)
        }
        if holdSeconds > 0 {
            progress("  holding relay pid \(pid) with its connections for \(holdSeconds) s")
            try await Task.sleep(for: .seconds(holdSeconds))
        }
        for channel in channels { channel.close(promise: nil) }
        relay.stop()
        return Result(
            loadProtocol: loadProtocol, connections: connections, rate: rate, subscribed: subscribed,
            setupSeconds: setupSeconds, setupFailures: failures.joined(separator: ", "),
            deliveriesPerSecond: Double(tally.delivered) / elapsed,
            p50: stats.percentile(0.5), p99: stats.percentile(0.99), p999: stats.percentile(0.999),
            lost: tally.lost, duplicates: tally.duplicates, relayCPU: relayCPU, clientCPU: clientCPU,
            delivered: tally.delivered, machineBusy: machineBusy, loadBefore: loadBefore,
            loadAfter: SystemProbe.loadAverage(), rssMiB: rss, rssBeforeMiB: rssBefore, relayThreads: threads,
            closedDuringWindow: tally.closed, bus: bus, publishedInWindow: publishedInWindow, publisherCPU: publisherCPU,
            redisCPU: redisCPU)
    }
}
