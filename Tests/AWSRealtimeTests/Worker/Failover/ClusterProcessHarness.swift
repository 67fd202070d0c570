import AWSCapture
import AWSCore
import AWSReplay
import Bus
import Foundation
import Logging
import Payloads
import Redis
import Synchronization
import TestSupport

/// One end-to-end scenario on a real Redis Cluster, all on 127.0.0.1: six `redis-server`s (3
/// primaries, 3 replicas, `cluster-node-timeout` 1 s), the replay server in-process, a cluster
/// client for the test's own reads, and the `aws-realtime worker` and `gateway` processes and
/// Python clients the test starts, every one of them pointed at `redis+cluster://` and the
/// cluster's default key prefix `{aws-realtime}:`. ``run(seed:_:)`` kills every process and every
/// node on every way out.
final class ClusterProcessHarness: Sendable {
    static let keys = RedisBusKeys(prefix: RedisBusKeys.clusterDefaultPrefix)
    /// The one slot of every key and shard channel of the bus.
    static let slot = RedisClusterSlot.of(key: keys.log(.metrics))
    static let logger = Logger(label: "cluster-process-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Which node the processes are given as their seed.
    enum Seed: Sendable {
        /// The primary serving the bus's slot when the test starts (the one scenario A kills).
        case slotOwner
        /// A primary that does not serve it.
        case otherPrimary
    }

    private struct Children {
        var workers: [AWSRealtimeServer] = []
        var gateways: [AWSRealtimeServer] = []
        var clients: [ClientScriptProcess] = []
    }

    let cluster: RedisClusterProcess
    let client: RedisClusterClient
    let replay: ObservedReplayHandler
    let replayPort: Int
    let seedPort: Int
    let directory: URL
    private let children = Mutex(Children())

    private init(
        cluster: RedisClusterProcess, client: RedisClusterClient, replay: ObservedReplayHandler, replayPort: Int, seedPort: Int,
        directory: URL
    ) {
        self.cluster = cluster
        self.client = client
        self.replay = replay
        self.replayPort = replayPort
        self.seedPort = seedPort
        self.directory = directory
    }

    static func run<T: Sendable>(seed: Seed, _ body: @Sendable (ClusterProcessHarness) async throws -> T) async throws -> T {
        try await RedisClusterProcess.withCluster(primaries: 3, replicasPerPrimary: 1, nodeTimeout: .milliseconds(1000)) {
            cluster in
            let nodes = try await cluster.nodes()
            let owner = try await cluster.primary(ofSlot: slot)
            let seedPort: Int
            switch seed {
            case .slotOwner: seedPort = owner
            case .otherPrimary: seedPort = nodes.first { $0.isPrimary && $0.port != owner }?.port ?? owner
            }
            var configuration = ReplayConfiguration()
            configuration.matching = CaptureMatching()
            let handler = ObservedReplayHandler(
                captures: [FailoverCaptures.metrics], configuration: configuration, logger: logger)
            let server = ReplayServer(handler: handler, configuration: configuration, logger: logger)
            var redis = RedisConfiguration(
                host: "127.0.0.1", port: seedPort, timeouts: .init(connect: .seconds(10), command: .seconds(5)),
                reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), multiplier: 2, jitter: 0.2))
            redis.cluster = .enabled
            let client = RedisClusterClient(configuration: redis, logger: logger)
            return try await server.withServer { replayPort in
                try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
                    group.addTask { try await client.run() }
                    defer { group.cancelAll() }
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                        "cluster-process-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    let harness = ClusterProcessHarness(
                        cluster: cluster, client: client, replay: handler, replayPort: replayPort, seedPort: seedPort,
                        directory: directory)
                    let result: Result<T, any Error>
                    do {
                        result = .success(try await body(harness))
                    } catch {
                        result = .failure(error)
                    }
                    await harness.killAll()
                    if case .failure = result { harness.printLogs() }
                    if ProcessInfo.processInfo.environment["CLUSTER_E2E_KEEP_LOGS"] != nil {
                        print("[cluster] logs kept in \(directory.path)")
                    } else {
                        try? FileManager.default.removeItem(at: directory)
                    }
                    return try result.get()
                }
            }
        }
    }

    // MARK: Processes

    /// A worker file: the account set, `aws-metrics` polled every second whatever the demand,
    /// heartbeats every `heartbeat` seconds, every other stream disabled; the key prefix left to
    /// the cluster's default.
    static func workerConfiguration(ttl: String, heartbeat: Int = 2) -> String {
        var text = """
            account: "123456789012"
            lease: {ttl: \(ttl)}
            demand: always
            heartbeatInterval: \(heartbeat)s
            jitter: 0
            streams:

            """
        for stream in StreamName.allCases {
            text += stream == .metrics ? FailoverCaptures.metricsConfiguration : "  \(stream.rawValue): {enabled: false}"
            text += "\n"
        }
        return text
    }

    var redisURL: String { "redis+cluster://127.0.0.1:\(seedPort)" }

    var workerEnvironment: [String: String] {
        [
            "REDIS_URL": redisURL, "AWS_ENDPOINT_URL": "http://127.0.0.1:\(replayPort)", "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1", "HOME": directory.path, "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
        ]
    }

    /// Anonymous clients (loopback), the worker's heartbeat period.
    func gatewayEnvironment(heartbeat: Int = 2) -> [String: String] {
        [
            "REDIS_URL": redisURL, "HOME": directory.path, "LOG_LEVEL": "info",
            "GATEWAY_HEARTBEAT_INTERVAL_SECONDS": "\(heartbeat)",
        ]
    }

    func startWorker(_ name: String, configuration: String) async throws -> AWSRealtimeServer {
        let worker = try await AWSRealtimeServer.startWorker(
            name: name, configuration: configuration, environment: workerEnvironment, logDirectory: directory)
        children.withLock { $0.workers.append(worker) }
        return worker
    }

    func startGateway(_ name: String) async throws -> AWSRealtimeServer {
        let gateway = try await AWSRealtimeServer.startGateway(
            name: name, environment: gatewayEnvironment(), logDirectory: directory)
        children.withLock { $0.gateways.append(gateway) }
        return gateway
    }

    /// A client of `gateway` subscribed to `aws-metrics`, printing what it receives for `seconds`.
    func startWatcher(_ name: String, _ kind: Watcher.Kind, on gateway: AWSRealtimeServer, seconds: Int = 100) throws -> Watcher {
        let process: ClientScriptProcess
        switch kind {
        case .webSocket:
            process = try ClientScriptProcess.start(
                name: name, script: "ws_client",
                arguments: [
                    "ws://127.0.0.1:\(gateway.port)/ws", #"send:{"op":"subscribe","stream":"aws-metrics"}"#, "watch:\(seconds)",
                ], directory: directory)
        case .socketIO:
            process = try ClientScriptProcess.start(
                name: name, script: "sio_client",
                arguments: [
                    "http://127.0.0.1:\(gateway.port)", "--transports", "websocket", "--ids-only", "--in-order",
                    "emit:subscribe-aws-metrics", "sleep:\(seconds)",
                ], directory: directory)
        }
        children.withLock { $0.clients.append(process) }
        return Watcher(name: name, kind: kind, gateway: gateway.name, process: process)
    }

    var workers: [AWSRealtimeServer] { children.withLock { $0.workers } }
    var gateways: [AWSRealtimeServer] { children.withLock { $0.gateways } }

    func killAll() async {
        let children = self.children.withLock { $0 }
        for client in children.clients { await client.kill() }
        for gateway in children.gateways { await gateway.kill() }
        for worker in children.workers { await worker.kill() }
    }

    /// The end of every process's log, for a failed test's output (the logs go with the directory).
    func printLogs(lines: Int = 40) {
        let children = self.children.withLock { $0 }
        for worker in children.workers {
            let tail = worker.logText().split(separator: "\n").suffix(lines).joined(separator: "\n")
            print("[cluster] last \(lines) log lines of worker \(worker.name):\n\(tail)")
        }
        for gateway in children.gateways {
            let tail = gateway.logText().split(separator: "\n").suffix(lines).joined(separator: "\n")
            print("[cluster] last \(lines) log lines of gateway \(gateway.name):\n\(tail)")
        }
        for client in children.clients {
            let tail = client.outputText().split(separator: "\n").suffix(lines).joined(separator: "\n")
            print("[cluster] last \(lines) lines of client \(client.name):\n\(tail)")
        }
    }

    /// What a crash leaves in a log: the Swift runtime's fatal errors and its crash backtrace.
    static let crashMarkers = [
        "Fatal error", "fatal error", "Program crashed", "Stack dump", "Segmentation fault", "Illegal instruction",
    ]

    /// The processes that are gone or whose log shows a crash, named with the evidence.
    func crashes() -> [String] {
        var found: [String] = []
        for worker in workers {
            if !worker.isAlive { found.append("worker \(worker.name) is not running") }
            let log = worker.logText()
            for marker in Self.crashMarkers where log.contains(marker) { found.append("worker \(worker.name) logged \(marker)") }
        }
        for gateway in gateways {
            if !gateway.isAlive { found.append("gateway \(gateway.name) is not running") }
            let log = gateway.logText()
            for marker in Self.crashMarkers where log.contains(marker) {
                found.append("gateway \(gateway.name) logged \(marker)")
            }
        }
        return found
    }

    // MARK: Redis, as the test sees it (through the cluster)

    func leaderToken() async throws -> String? {
        try await client.get(Self.keys.leader).map { String(buffer: $0) }
    }

    func epoch() async throws -> Int {
        try await client.get(Self.keys.epoch).flatMap { Int(String(buffer: $0)) } ?? 0
    }

    /// Every entry of `{aws-realtime}:log:<stream>`, oldest first (XRANGE through the cluster).
    func log(_ stream: StreamName = .metrics) async throws -> [LoggedEnvelope] {
        try await client.xrange(Self.keys.log(stream), from: "-", to: "+").map(LoggedEnvelope.init)
    }

    /// Polls `condition` every 20 ms until it holds; throws naming `what` after `timeout`.
    func waitUntil(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        try await TestSupport.waitUntil(what, timeout: timeout, every: .milliseconds(20), condition)
    }
}

/// A client subscribed to `aws-metrics` on one gateway, and what it printed.
struct Watcher: Sendable {
    enum Kind: Sendable {
        case webSocket
        case socketIO
    }

    /// One envelope as the client got it.
    struct Received: Sendable {
        var id: BusMessageID
        var type: String
        /// When the client read it (Unix seconds; `/ws` clients only).
        var at: Double?
    }

    let name: String
    let kind: Kind
    let gateway: String
    let process: ClientScriptProcess

    /// The envelopes received so far, in the order received.
    func envelopes() -> [Received] {
        process.lines().compactMap { line -> Received? in
            switch kind {
            case .webSocket:
                guard let text = line["recv"] as? String,
                    let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                    object["op"] == nil, let id = (object["id"] as? String).flatMap({ BusMessageID($0) })
                else { return nil }
                return Received(id: id, type: object["type"] as? String ?? "?", at: line["at"] as? Double)
            case .socketIO:
                guard let event = line["event"] as? String, event.hasPrefix("aws-metrics-"),
                    let id = (line["id"] as? String).flatMap({ BusMessageID($0) })
                else { return nil }
                return Received(id: id, type: event, at: nil)
            }
        }
    }

    /// Control messages that are errors (`resync-required`, `unavailable`, ...), and a closed or
    /// timed-out connection.
    func problems() -> [String] {
        process.lines().compactMap { line -> String? in
            switch kind {
            case .webSocket:
                if line["closed"] != nil || line["timeout"] != nil || line["refused"] != nil { return "\(line)" }
                guard let text = line["recv"] as? String, text.contains(#""op":"error""#) else { return nil }
                return text
            case .socketIO:
                if line["disconnected"] != nil || line["connect_error"] != nil || line["timeout"] != nil { return "\(line)" }
                return line["event"] as? String == "error" ? "\(line)" : nil
            }
        }
    }

    var description: String { "\(name) (\(kind == .webSocket ? "/ws" : "Socket.IO") on gateway \(gateway))" }
}

/// What a client got compared with the history log: the contract is that every log entry from
/// the client's first envelope up to `through` reaches it exactly once, in order.
struct DeliveryCheck: Sendable {
    let watcher: String
    /// Ids received that are not in the log at all (a live message whose entry the log lost).
    let notInLog: [Watcher.Received]
    /// Log entries in the client's range it never got.
    let missing: [BusMessageID]
    /// Ids received more than once.
    let duplicates: [BusMessageID]
    /// Pairs received out of order (the later one first).
    let outOfOrder: [(BusMessageID, BusMessageID)]
    /// Envelopes that are not data or states (a heartbeat relayed in place of an entry).
    let unexpectedTypes: [Watcher.Received]
    let receivedCount: Int
    let expectedCount: Int

    init(_ watcher: Watcher, log: [BusMessageID], through last: BusMessageID) {
        let received = watcher.envelopes().filter { $0.id <= last }
        self.watcher = watcher.description
        receivedCount = received.count
        let logged = Set(log)
        notInLog = received.filter { !logged.contains($0.id) }
        var seen = Set<BusMessageID>()
        duplicates = received.map(\.id).filter { !seen.insert($0).inserted }
        outOfOrder = zip(received, received.dropFirst()).filter { $0.id >= $1.id }.map { ($0.id, $1.id) }
        unexpectedTypes = received.filter {
            !["metrics", "stream-state", "aws-metrics-update", "aws-metrics-state"].contains($0.type)
        }
        guard let first = received.first?.id else {
            missing = log.filter { $0 <= last }
            expectedCount = missing.count
            return
        }
        let expected = log.filter { $0 >= first && $0 <= last }
        expectedCount = expected.count
        let got = Set(received.map(\.id))
        missing = expected.filter { !got.contains($0) }
    }

    var holdsContract: Bool { missing.isEmpty && duplicates.isEmpty && outOfOrder.isEmpty && unexpectedTypes.isEmpty }

    var summary: String {
        "\(watcher): \(receivedCount) received, \(expectedCount) expected from the log; missing \(missing), "
            + "duplicates \(duplicates), out of order \(outOfOrder), not in the log \(notInLog.map { "\($0.id) (\($0.type))" }), "
            + "unexpected types \(unexpectedTypes.map { "\($0.id) \($0.type)" })"
    }
}
