import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Logging
import NIOCore
import Payloads
import Redis
import Synchronization
import TestSupport

/// One failover scenario's world, all on 127.0.0.1: a real `redis-server` (append-only file synced
/// on every write, so a restart on the same port keeps the lease, cursors and logs), the replay
/// server in-process (``ObservedReplayHandler``), a Redis client for the test's own checks, and the
/// `aws-realtime worker` processes the test starts. ``run(captures:matching:_:)`` kills every worker
/// and stops every server on every way out.
final class FailoverHarness: Sendable {
    static let keyPrefix = "failover:"
    static let logger = Logger(label: "failover-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    let redis: RedisServerProcess
    let client: RedisClient
    let replay: ObservedReplayHandler
    let replayPort: Int
    let directory: URL
    private let workers = Mutex<[AWSRealtimeServer]>([])

    private init(redis: RedisServerProcess, client: RedisClient, replay: ObservedReplayHandler, replayPort: Int, directory: URL) {
        self.redis = redis
        self.client = client
        self.replay = replay
        self.replayPort = replayPort
        self.directory = directory
    }

    static func run<T: Sendable>(
        captures: [Capture], matching: CaptureMatching = CaptureMatching(), _ body: @Sendable (FailoverHarness) async throws -> T
    ) async throws -> T {
        let options = RedisServerProcess.Options(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"])
        return try await RedisServerProcess.withServer(options) { redis in
            var configuration = ReplayConfiguration()
            configuration.matching = matching
            let handler = ObservedReplayHandler(captures: captures, configuration: configuration, logger: logger)
            let server = ReplayServer(handler: handler, configuration: configuration, logger: logger)
            let client = RedisClient(
                configuration: RedisConfiguration(
                    host: "127.0.0.1", port: redis.port, timeouts: .init(connect: .seconds(2), command: .seconds(5)),
                    reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), multiplier: 2, jitter: 0.2)),
                logger: logger)
            return try await server.withServer { replayPort in
                try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
                    group.addTask { try await client.run() }
                    defer { group.cancelAll() }
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("failover-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    let harness = FailoverHarness(
                        redis: redis, client: client, replay: handler, replayPort: replayPort, directory: directory)
                    let result: Result<T, any Error>
                    do {
                        result = .success(try await body(harness))
                    } catch {
                        result = .failure(error)
                    }
                    await harness.killWorkers()
                    if case .failure = result { harness.printWorkerLogs() }
                    try? FileManager.default.removeItem(at: directory)
                    return try result.get()
                }
            }
        }
    }

    // MARK: Workers

    /// A worker file: the account set (no STS call), polling whatever the demand, heartbeats out of
    /// the way, no jitter, `enabled` streams as given and every other stream disabled.
    static func configuration(ttl: String, enabled: [StreamName: String]) -> String {
        var text = """
            account: "123456789012"
            keyPrefix: "\(keyPrefix)"
            lease: {ttl: \(ttl)}
            demand: always
            heartbeatInterval: 300s
            jitter: 0
            streams:

            """
        for stream in StreamName.allCases {
            text += enabled[stream] ?? "  \(stream.rawValue): {enabled: false}"
            text += "\n"
        }
        return text
    }

    var environment: [String: String] {
        [
            "REDIS_URL": "redis://127.0.0.1:\(redis.port)", "REDIS_KEY_PREFIX": Self.keyPrefix,
            "AWS_ENDPOINT_URL": "http://127.0.0.1:\(replayPort)", "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1", "HOME": directory.path, "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
        ]
    }

    func startWorker(_ name: String, configuration: String) async throws -> AWSRealtimeServer {
        let worker = try await AWSRealtimeServer.startWorker(
            name: name, configuration: configuration, environment: environment, logDirectory: directory)
        workers.withLock { $0.append(worker) }
        return worker
    }

    func killWorkers() async {
        for worker in workers.withLock({ $0 }) { await worker.kill() }
    }

    /// The end of every worker's log, for a failed test's output (the logs go with the directory).
    func printWorkerLogs(lines: Int = 30) {
        for worker in workers.withLock({ $0 }) {
            let tail = worker.logText().split(separator: "\n").suffix(lines).joined(separator: "\n")
            print("[failover] last \(lines) log lines of worker \(worker.name):\n\(tail)")
        }
    }

    /// The workers whose `/metrics` says they lead (a worker that does not answer is not counted).
    static func leaders(_ workers: [AWSRealtimeServer]) -> [AWSRealtimeServer] {
        workers.filter { (try? $0.metrics()["aws_realtime_worker_leader"]) == 1 }
    }

    // MARK: Redis, as the test sees it

    func leaderToken() async throws -> String? {
        try await client.get(Self.keyPrefix + "leader").map { String(buffer: $0) }
    }

    func epoch() async throws -> Int {
        try await client.get(Self.keyPrefix + "epoch").flatMap { Int(String(buffer: $0)) } ?? 0
    }

    /// Every entry of `{p}log:<stream>`, oldest first.
    func log(_ stream: StreamName) async throws -> [LoggedEnvelope] {
        try await client.xrange(Self.keyPrefix + "log:" + stream.rawValue, from: "-", to: "+").map(LoggedEnvelope.init)
    }

    /// Polls `condition` every 10 ms until it holds; throws naming `what` after `timeout`.
    func waitUntil(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        try await TestSupport.waitUntil(what, timeout: timeout, condition)
    }
}

/// One entry of a stream's history: its Redis id and the envelope's fields the tests look at.
struct LoggedEnvelope: Sendable {
    var id: String
    /// The id's millisecond part: when Redis stored it, by the server's clock.
    var storedAtMilliseconds: Int64
    var epoch: Int
    /// When the worker collected it (`timestamp`), as Unix seconds.
    var collectedAt: Double
    /// `data.events[].id` (aws-activity), empty for other streams.
    var eventIDs: [String]

    init(_ entry: RedisStreamEntry) {
        id = entry.id
        storedAtMilliseconds = Int64(entry.id.split(separator: "-").first ?? "") ?? 0
        let object = entry[field: "e"].flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.readableBytesView)) as? [String: Any]
        }
        epoch = (object?["epoch"] as? Int) ?? -1
        collectedAt = (object?["timestamp"] as? String).flatMap { ISO8601.date(from: $0) }?.timeIntervalSince1970 ?? 0
        let events = (object?["data"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
        eventIDs = events.compactMap { $0["id"] as? String }
    }
}
