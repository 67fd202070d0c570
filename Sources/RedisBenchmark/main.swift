// PUBLISH throughput of the Redis client against redis-benchmark, side by side, on one server.
//
//   swift build -c release --product RedisBenchmark
//   .build/release/RedisBenchmark [--port P] [--messages N] [--window W] [--payload BYTES]
//
// Without --port it starts its own redis-server on a free 127.0.0.1 port and stops it at the end.
// Every phase is bounded in messages and in time (60 s).
import Foundation
import Logging
import NIOCore
import NIOPosix
import Redis

struct Options {
    var port: Int?
    var messages = 200_000
    var window = 64
    var payload = 200
    var rounds = 3
    /// Only our pipelined client, for profiling.
    var isPipelineOnly = false

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            if flag == "--pipeline-only" {
                self.isPipelineOnly = true
                continue
            }
            guard let text = iterator.next(), let value = Int(text), value > 0 else {
                throw BenchmarkError("flag \(flag) needs a positive number")
            }
            switch flag {
            case "--port": self.port = value
            case "--messages": self.messages = min(value, 10_000_000)
            case "--window": self.window = min(value, 10_000)
            case "--payload": self.payload = min(value, 1_000_000)
            case "--rounds": self.rounds = min(value, 10)
            default: throw BenchmarkError("unknown flag \(flag); flags: --port --messages --window --payload --rounds")
            }
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    return port
}

func startServer(port: Int) async throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
    process.arguments = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--daemonize", "no"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    for _ in 0..<200 {
        if let probe = try? await RedisConnection.connect(configuration: .init(port: port), logger: Logger(label: "bench")) {
            await probe.close()
            return process
        }
        try await Task.sleep(for: .milliseconds(25))
    }
    kill(process.processIdentifier, SIGKILL)
    throw BenchmarkError("redis-server did not start on port \(port)")
}

/// Runs redis-benchmark with PUBLISH as a custom command; returns requests per second.
func redisBenchmark(port: Int, messages: Int, window: Int, clients: Int, payload: String) throws -> (Double, String) {
    let arguments = [
        "-h", "127.0.0.1", "-p", String(port), "-c", String(clients), "-n", String(messages), "-P", String(window), "-q",
        "PUBLISH", "bench:rb", payload,
    ]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-benchmark")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    // "...: 123456.78 requests per second, p50=..." (the last progress line wins)
    let line = output.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).last { $0.contains("requests per second") } ?? ""
    let number = line.components(separatedBy: ": ").last?.components(separatedBy: " ").first ?? ""
    let command =
        "redis-benchmark " + arguments.map { $0.count > 40 ? "<\($0.utf8.count)-byte payload>" : $0 }.joined(separator: " ")
    return (Double(number) ?? 0, command)
}

/// Windows of `window` PUBLISH commands written at once, `inFlight` windows at a time.
func clientPipelined(port: Int, messages: Int, window: Int, inFlight: Int, payload: ByteBuffer) async throws -> Double {
    var configuration = RedisConfiguration(port: port)
    configuration.limits.maxPendingCommands = max(10_000, window * inFlight * 2)
    let connection = try await RedisConnection.connect(configuration: configuration, logger: Logger(label: "bench"))
    let command = [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: "bench:client"), payload]
    let batch = Array(repeating: command, count: window)
    let windows = max(1, messages / window)
    let deadline = ContinuousClock.now + .seconds(60)
    let start = ContinuousClock.now
    let sent = try await withThrowingTaskGroup(of: Int.self) { group in
        for lane in 0..<inFlight {
            group.addTask {
                var sent = 0
                var index = lane
                while index < windows && ContinuousClock.now < deadline {
                    let replies = try await connection.pipeline(batch)
                    guard replies.count == window, case .integer = replies[0] else {
                        throw BenchmarkError("unexpected PUBLISH reply \(replies.first.map { "\($0)" } ?? "none")")
                    }
                    sent += window
                    index += inFlight
                }
                return sent
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - start
    await connection.close()
    return Double(sent) / seconds(elapsed)
}

/// A publisher isolated to the connection's event loop: replies resume it on the same thread,
/// so a pipelined window costs no thread hop (two busy threads on two cores instead of three).
actor EventLoopPublisher {
    let eventLoop: any EventLoop
    nonisolated var unownedExecutor: UnownedSerialExecutor { self.eventLoop.executor.asUnownedSerialExecutor() }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func publish(port: Int, messages: Int, window: Int, payload: ByteBuffer) async throws -> Double {
        let connection = try await RedisConnection.connect(
            configuration: .init(port: port),
            eventLoopGroup: self.eventLoop,
            logger: Logger(label: "bench")
        )
        let batch = Array(repeating: [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: "bench:client"), payload], count: window)
        let deadline = ContinuousClock.now + .seconds(60)
        let start = ContinuousClock.now
        var sent = 0
        while sent < messages && ContinuousClock.now < deadline {
            let replies = try await connection.pipeline(batch)
            guard replies.count == window else { throw BenchmarkError("short reply batch") }
            sent += window
        }
        let elapsed = ContinuousClock.now - start
        await connection.close()
        return Double(sent) / seconds(elapsed)
    }
}

/// `callers` tasks each awaiting one `publish` at a time on one connection (flushes coalesce).
func clientConcurrent(port: Int, messages: Int, callers: Int, payload: ByteBuffer) async throws -> Double {
    let connection = try await RedisConnection.connect(configuration: .init(port: port), logger: Logger(label: "bench"))
    let perCaller = max(1, messages / callers)
    let deadline = ContinuousClock.now + .seconds(60)
    let start = ContinuousClock.now
    let sent = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<callers {
            group.addTask {
                var sent = 0
                while sent < perCaller && ContinuousClock.now < deadline {
                    _ = try await connection.publish(payload, to: "bench:client")
                    sent += 1
                }
                return sent
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - start
    await connection.close()
    return Double(sent) / seconds(elapsed)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ rate: Double) -> String {
    String(format: "%10.0f msg/s", rate)
}

let options = try Options(arguments: CommandLine.arguments)
let port: Int
if let given = options.port {
    port = given
} else {
    port = try await freePort()
}
let server = options.port == nil ? try await startServer(port: port) : nil
/// Stops the server this run started. SIGKILL: it holds no data, and a SIGTERM can sit
/// unhandled when this process passes ignored signals on to its children.
func stopServer() {
    if let server {
        kill(server.processIdentifier, SIGKILL)
    }
}
defer { stopServer() }

let payloadText = String(repeating: "x", count: options.payload)
let payload = ByteBuffer(string: payloadText)
print("PUBLISH, \(options.payload)-byte payload, \(options.messages) messages per run, redis-server on 127.0.0.1:\(port)")
print("best of \(options.rounds) rounds each; one connection unless noted")
var best: [String: Double] = [:]
var commands: [String: String] = [:]
if options.isPipelineOnly {
    let rate = try await clientPipelined(
        port: port,
        messages: options.messages,
        window: options.window,
        inFlight: 1,
        payload: payload
    )
    print("\(format(rate))  RedisConnection.pipeline, window \(options.window)")
    let pinned = try await EventLoopPublisher(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        .publish(port: port, messages: options.messages, window: options.window, payload: payload)
    print("\(format(pinned))  RedisConnection.pipeline, window \(options.window), caller on the event loop")
    stopServer()
    exit(0)
}
for _ in 0..<options.rounds {
    let (single, singleCommand) = try redisBenchmark(
        port: port, messages: options.messages, window: options.window, clients: 1, payload: payloadText)
    best["redis-benchmark -c 1 -P \(options.window)", default: 0] = max(
        best["redis-benchmark -c 1 -P \(options.window)", default: 0], single)
    commands["redis-benchmark -c 1 -P \(options.window)"] = singleCommand
    let pipelined = try await clientPipelined(
        port: port, messages: options.messages, window: options.window, inFlight: 1, payload: payload)
    best["RedisConnection.pipeline, window \(options.window)", default: 0] = max(
        best["RedisConnection.pipeline, window \(options.window)", default: 0], pipelined)
    let twoWindows = try await clientPipelined(
        port: port, messages: options.messages, window: options.window, inFlight: 2, payload: payload)
    best["RedisConnection.pipeline, 2 windows of \(options.window)", default: 0] = max(
        best["RedisConnection.pipeline, 2 windows of \(options.window)", default: 0], twoWindows)
    let pinned = try await EventLoopPublisher(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        .publish(port: port, messages: options.messages, window: options.window, payload: payload)
    best["RedisConnection.pipeline, window \(options.window), caller on the event loop", default: 0] = max(
        best["RedisConnection.pipeline, window \(options.window), caller on the event loop", default: 0],
        pinned
    )
    let concurrent = try await clientConcurrent(port: port, messages: options.messages, callers: options.window, payload: payload)
    best["RedisConnection.publish, \(options.window) concurrent callers", default: 0] = max(
        best["RedisConnection.publish, \(options.window) concurrent callers", default: 0], concurrent)
}
let (many, manyCommand) = try redisBenchmark(
    port: port, messages: options.messages, window: options.window, clients: 50, payload: payloadText)
for (name, rate) in best.sorted(by: { $0.key < $1.key }) {
    print("\(format(rate))  \(name)")
}
print("\(format(many))  redis-benchmark -c 50 -P \(options.window) (50 connections, for reference)")
let reference = best["redis-benchmark -c 1 -P \(options.window)", default: 1]
let ours = best["RedisConnection.pipeline, window \(options.window)", default: 0]
print(String(format: "client / redis-benchmark (same window, one connection): %.0f%%", 100 * ours / max(reference, 1)))
for (name, command) in commands.sorted(by: { $0.key < $1.key }) {
    print("\(name): \(command)")
}
print("redis-benchmark -c 50: \(manyCommand)")
