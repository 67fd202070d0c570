import Bus
import Foundation
import Gateway
import JWTKit
import Logging
import NIOCore
import Payloads
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A gateway on 127.0.0.1 (a free port) over an `InProcessBus` the test publishes to.
struct RunningGateway: Sendable {
    let port: Int
    let bus: InProcessBus
    let metrics: GatewayMetrics
    static let token = "test-publisher"

    var webSocketURL: String { "ws://127.0.0.1:\(port)/ws" }

    struct Sample: Codable, Sendable {
        var seq: Int
        var pad: String
    }

    /// Publishes `count` envelopes on `stream`; returns their ids in order.
    @discardableResult
    func publish(_ count: Int, to stream: StreamName = .metrics, padding: Int = 0, type: String? = nil) async throws
        -> [BusMessageID]
    {
        var ids: [BusMessageID] = []
        let pad = String(repeating: "p", count: padding)
        for index in 0..<count {
            let envelope = Envelope(
                stream: stream, type: type ?? stream.dataType, epoch: 1, timestamp: Date(), account: "123456789012",
                region: "eu-west-1", data: Sample(seq: index, pad: pad))
            guard
                case .published(let id) = try await bus.publish(
                    try EncodedEnvelope(envelope), to: stream, cursor: nil, token: Self.token)
            else {
                throw HarnessError(message: "publish fenced")
            }
            ids.append(id)
        }
        return ids
    }

    /// Publishes a `stream-state` envelope on `stream` as the worker does (`StreamPoller`); its id.
    @discardableResult
    func publish(state: StreamStateData, to stream: StreamName) async throws -> BusMessageID {
        guard
            case .published(let id) = try await bus.publish(
                try EncodedEnvelope.streamState(state, of: stream), to: stream, cursor: nil, token: Self.token)
        else {
            throw HarnessError(message: "publish fenced")
        }
        return id
    }

    func listeners(_ stream: StreamName = .metrics) async throws -> Int {
        try await bus.listenerCounts(of: [stream])[stream] ?? 0
    }
}

extension EncodedEnvelope {
    /// The `stream-state` envelope the worker publishes when `stream`'s state changes.
    static func streamState(_ state: StreamStateData, of stream: StreamName) throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: stream, type: StreamStateData.type, epoch: 1, timestamp: Date(), account: "123456789012",
                region: "eu-west-1", data: state))
    }

    /// AWS Health refused to an account without a Business support plan, tried again in an hour.
    static let unavailableHealth = StreamStateData(
        state: "unavailable", since: "2026-11-27T12:00:00.000Z", operation: "DescribeEvents",
        code: "SubscriptionRequiredException", message: "The AWS Premium Support subscription is required to use this service.",
        retryAt: "2026-11-27T13:00:00.000Z")
}

/// A gateway under test reached over HTTP on 127.0.0.1: the requests and waits every suite uses.
protocol GatewayEndpoint: Sendable {
    var port: Int { get }
}

extension RunningGateway: GatewayEndpoint {}

extension GatewayEndpoint {
    /// Waits (at most 10 s, polling every 20 ms) until `condition` holds (TestSupport's `waitUntil`).
    func eventually(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        try await waitUntil(what, timeout: .seconds(10), every: .milliseconds(20), condition)
    }

    /// GET over plain HTTP with curl: (status, body).
    func get(_ path: String, headers: [String] = []) async throws -> (status: Int, body: String) {
        try await request("GET", path, headers: headers)
    }

    /// POST `body` over plain HTTP with curl: (status, body).
    func post(_ path: String, body: String, headers: [String] = []) async throws -> (status: Int, body: String) {
        try await request("POST", path, headers: headers + ["Content-Type: text/plain;charset=UTF-8"], body: body)
    }

    /// One HTTP request with curl (bounded at 10 s): (status, body).
    func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil) async throws -> (
        status: Int, body: String
    ) {
        var arguments = ["-s", "--max-time", "10", "-X", method, "-o", "-", "-w", "\n%{http_code}"]
        if let body { arguments += ["--data-binary", body] }
        for header in headers { arguments += ["-H", header] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let output = try await runProcess("/usr/bin/curl", arguments)
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    func metric(_ name: String) async throws -> Int {
        let (_, body) = try await get("/metrics")
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs `body` against a gateway started for it, then stops the gateway.
func withGateway(
    _ configuration: GatewayConfiguration = GatewayConfiguration(auth: .init(mode: .anonymous)),
    bus busConfiguration: InProcessBus.Configuration = .init(),
    port: Int = 0,
    now: @escaping @Sendable () -> Date = { Date() },
    _ body: @Sendable (RunningGateway) async throws -> Void
) async throws {
    try await withGateway(
        configuration, bus: busConfiguration, port: port, now: now, subscriber: { $0 }, body)
}

/// The same, with the gateway reading the bus through `wrap` (a test's stand-in that can fail).
func withGateway<Wrapped: SubscriberBus>(
    _ configuration: GatewayConfiguration = GatewayConfiguration(auth: .init(mode: .anonymous)),
    bus busConfiguration: InProcessBus.Configuration = .init(),
    port: Int = 0,
    now: @escaping @Sendable () -> Date = { Date() },
    subscriber wrap: (InProcessSubscriber) -> Wrapped,
    _ body: @Sendable (RunningGateway) async throws -> Void
) async throws {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = port
    let bus = InProcessBus(configuration: busConfiguration)
    let inProcess = bus.makeSubscriber()
    defer { inProcess.close() }
    let subscriber = wrap(inProcess)
    let metrics = GatewayMetrics()
    var logger = Logger(label: "gateway-test")
    logger.logLevel = .warning
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let gateway = Gateway(
        bus: subscriber, configuration: configuration, metrics: metrics, logger: logger, now: now,
        onListening: { portContinuation.yield($0) })
    _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await gateway.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError(message: "gateway did not start") }
        defer { group.cancelAll() }
        try await body(RunningGateway(port: port, bus: bus, metrics: metrics))
    }
}

/// Runs a program to its end (bounded by the program's own time limits) and returns its stdout.
func runProcess(_ path: String, _ arguments: [String]) async throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = FileHandle.nullDevice
    try process.run()
    while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    try handle.close()
    defer { try? FileManager.default.removeItem(at: output) }
    return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
}

/// A Python client script running beside the test; its JSON lines are read as they come.
final class ScriptedClient: @unchecked Sendable {
    // @unchecked: `process` and `output` are set once in init and only read after; Process is
    // thread-safe for isRunning/terminate.
    let process = Process()
    let output: URL
    let input = Pipe()

    init(_ script: String, _ arguments: [String]) throws {
        guard let url = Bundle.module.url(forResource: script, withExtension: "py", subdirectory: "Scripts") else {
            throw HarnessError(message: "missing script \(script)")
        }
        output = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString).jsonl")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", url.path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: output)
    }

    func lines() -> [[String: Any]] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The first line for which `predicate` holds, waiting at most `timeout`.
    func waitFor(_ what: String, timeout: Duration = .seconds(15), _ predicate: ([String: Any]) -> Bool) async throws -> [String:
        Any]
    {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let line = lines().first(where: predicate) { return line }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(message: "client never printed \(what); got \(lines())")
    }

    /// The received texts, in order.
    func received() -> [String] { lines().compactMap { $0["recv"] as? String } }

    func waitForExit(timeout: Duration = .seconds(40)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw HarnessError(message: "client did not finish; got \(lines())")
        }
    }

    func release() { input.fileHandleForWriting.write(Data("go\n".utf8)) }
}

/// JWTs for the tests.
struct TestClaims: JWTPayload {
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var streams: [String]?
    var accounts: [String]? = nil
    var regions: [String]? = nil
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

let testSecret = "0123456789abcdef0123456789abcdef-test-secret"

/// `accounts`, `regions`: the claims limiting the AWS accounts and regions (nil: absent, all).
func hs256Token(
    streams: [String]?, expiresIn: TimeInterval? = 600, secret: String = testSecret, notBefore: Date? = nil,
    accounts: [String]? = nil, regions: [String]? = nil
) async throws -> String {
    let keys = JWTKeyCollection()
    await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    return try await keys.sign(
        TestClaims(
            exp: expiresIn.map { ExpirationClaim(value: Date().addingTimeInterval($0)) },
            nbf: notBefore.map { NotBeforeClaim(value: $0) }, streams: streams, accounts: accounts, regions: regions))
}

/// What a graceful shutdown under test did.
struct GatewayShutdown: Sendable {
    /// The WebSocket client that was subscribed when the shutdown began, once it has exited.
    let client: ScriptedClient
    /// From the shutdown's trigger to the gateway's `run()` returning.
    let duration: Duration
    /// Whether the gateway stopped by itself within the bound (20 s).
    let stoppedInTime: Bool
    /// With an idle connection: whether the gateway closed it (rather than the test, at the bound).
    let closedIdleConnection: Bool?
}

/// Starts a gateway in a `ServiceGroup`, connects a subscribed client (and, with
/// `idleConnection`, a TCP connection that sends nothing), triggers graceful shutdown and returns
/// once the gateway has stopped and the client exited. Bounded: a gateway still running 20 s
/// after the trigger is unblocked by closing the idle connection from the test side, and the
/// result says so.
func withGatewayShutdown(
    idleConnection: Bool = false,
    _ script: String = "ws_client",
    arguments: @escaping @Sendable (Int) -> [String] = { port in
        [
            "ws://127.0.0.1:\(port)/ws", "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed",
            "wait-close",
        ]
    },
    ready: @escaping @Sendable ([String: Any]) -> Bool = { ($0["recv"] as? String)?.contains("subscribed") == true }
) async throws -> GatewayShutdown {
    let bus = InProcessBus()
    let subscriber = bus.makeSubscriber()
    defer { subscriber.close() }
    var logger = Logger(label: "gateway-test")
    logger.logLevel = .warning
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let gateway = Gateway(
        bus: subscriber, configuration: GatewayConfiguration(host: "127.0.0.1", port: 0, auth: .init(mode: .anonymous)),
        logger: logger, onListening: { portContinuation.yield($0) })
    let group = ServiceGroup(services: [gateway], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Bool.self) { tasks in
        tasks.addTask {
            try await group.run()
            return true
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError(message: "gateway did not start") }
        let client = try ScriptedClient(script, arguments(port))
        _ = try await client.waitFor("subscribed", ready)
        let idle = idleConnection ? try await IdleTCPConnection.open(port: port) : nil
        // Let the server accept it and set its pipeline up before the shutdown begins.
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        tasks.addTask {
            try await Task.sleep(for: .seconds(20))
            return false
        }
        let stoppedInTime = try await tasks.next() ?? false
        let duration = clock.now - start
        // The gateway closed it before returning; the client side learns of the FIN a moment
        // later on its own event loop (waited for at most 2 s, before the test closes it).
        if let idle {
            let deadline = clock.now.advanced(by: .seconds(2))
            while idle.isOpen, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        }
        let closedIdleConnection = idle.map { !$0.isOpen }
        await idle?.close()
        if !stoppedInTime { _ = try await tasks.next() }
        tasks.cancelAll()
        try await client.waitForExit()
        return GatewayShutdown(
            client: client, duration: duration, stoppedInTime: stoppedInTime, closedIdleConnection: closedIdleConnection)
    }
}
