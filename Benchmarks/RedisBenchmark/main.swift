// PUBLISH throughput of the Redis client against redis-benchmark, side by side, on one server.
//
//   swift build -c release --package-path Benchmarks --product RedisBenchmark
//   Benchmarks/.build/release/RedisBenchmark [--port P] [--messages N] [--window W] [--payload BYTES] [--rounds R]
//   Benchmarks/.build/release/RedisBenchmark --cluster [--messages N] [--window W] [--payload BYTES] [--rounds R]
//
// Without --port it starts its own redis-server on a free 127.0.0.1 port and stops it at the end.
// With --cluster it starts its own 3-primary Redis Cluster instead and compares SPUBLISH through
// RedisClusterClient with `redis-benchmark --cluster` (ClusterBenchmark.swift).
// Every phase is bounded in messages and in time (60 s).
//
// The comparison, per round: `redis-benchmark -c 1 -P W` writes W PUBLISH commands on one
// connection, waits for their W replies, writes the next W. Our client does the same: one
// connection, `pipeline` of W PUBLISH commands (same channel name, same payload), the next window
// written only when every reply of the last one is in and checked to be an integer. Both run
// against the same redis-server in the same round, one after the other; the round's ratio is the
// figure that counts on a shared machine.
import Foundation
import Logging
import NIOCore
import NIOPosix
import Redis

struct Options {
    var port: Int?
    var messages = 1_000_000
    var window = 64
    var payload = 200
    var rounds = 5
    /// Only our pipelined client, for profiling.
    var isPipelineOnly = false
    /// SPUBLISH on a 3-primary cluster this run starts, through the cluster client.
    var isCluster = false

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            if flag == "--help" || flag == "-h" { throw OptionsError.helpRequested }
            if flag == "--pipeline-only" {
                self.isPipelineOnly = true
                continue
            }
            if flag == "--cluster" {
                self.isCluster = true
                continue
            }
            guard let text = iterator.next(), let value = Int(text), value > 0 else {
                throw OptionsError.invalid("flag \(flag) needs a positive number")
            }
            switch flag {
            case "--port": self.port = value
            case "--messages": self.messages = min(value, 10_000_000)
            case "--window": self.window = min(value, 10_000)
            case "--payload": self.payload = min(value, 1_000_000)
            case "--rounds": self.rounds = min(value, 20)
            default:
                throw OptionsError.invalid("unknown flag \(flag)")
            }
        }
        if self.isCluster && self.port != nil {
            throw OptionsError.invalid("--cluster starts its own cluster: leave out --port")
        }
        // Whole windows, so both sides send exactly the same number of messages.
        self.messages = max(self.window, self.messages / self.window * self.window)
    }

    static let usage =
        "usage: RedisBenchmark [--port P] [--messages N] [--window W] [--payload BYTES] [--rounds R] [--pipeline-only]\n"
        + "       RedisBenchmark --cluster [--messages N] [--window W] [--payload BYTES] [--rounds R]"

    /// The options of this process's command line; on `--help` the usage and exit 0, on a bad
    /// argument what is wrong, the usage and exit 2.
    static func parseOrExit() -> Options {
        do {
            return try Options(arguments: CommandLine.arguments)
        } catch OptionsError.invalid(let message) {
            print(message)
            print(usage)
            exit(2)
        } catch OptionsError.helpRequested {
            print(usage)
            exit(0)
        } catch {
            print(error)
            print(usage)
            exit(2)
        }
    }
}

enum OptionsError: Error {
    case helpRequested
    case invalid(String)
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A rate and the CPU time its process spent per message.
struct Measurement {
    var rate: Double
    var cpuMicrosecondsPerMessage: Double
}

let channelName = "bench:publish"

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

/// User plus system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for children.
func cpuSeconds(ofChildren: Bool) -> Double {
    var usage = rusage()
    getrusage(ofChildren ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// `redis-benchmark` with `command channel payload` as its custom command; `--cluster` first on a
/// cluster (it then routes the command to the node that serves the channel's slot).
func redisBenchmarkArguments(
    port: Int, messages: Int, window: Int, clients: Int, payload: String, command: String = "PUBLISH",
    channel: String = channelName, isCluster: Bool = false
) -> [String] {
    (isCluster ? ["--cluster"] : [])
        + [
            "-h", "127.0.0.1", "-p", String(port), "-c", String(clients), "-n", String(messages), "-P", String(window), "-q",
            command, channel, payload,
        ]
}

func describe(redisBenchmark arguments: [String]) -> String {
    "redis-benchmark " + arguments.map { $0.count > 40 ? "<\($0.utf8.count)-byte payload>" : $0 }.joined(separator: " ")
}

/// Runs redis-benchmark with PUBLISH (or `command`) as a custom command: its own requests per
/// second, and its CPU time per message (from the children's rusage once it has been waited for).
func redisBenchmark(
    port: Int, messages: Int, window: Int, clients: Int, payload: String, command: String = "PUBLISH",
    channel: String = channelName, isCluster: Bool = false
) throws -> Measurement {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-benchmark")
    process.arguments = redisBenchmarkArguments(
        port: port, messages: messages, window: window, clients: clients, payload: payload, command: command,
        channel: channel, isCluster: isCluster)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    let cpuBefore = cpuSeconds(ofChildren: true)
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let cpu = cpuSeconds(ofChildren: true) - cpuBefore
    let output = String(decoding: data, as: UTF8.self)
    // "...: 123456.78 requests per second, p50=..." (the last progress line wins)
    let line = output.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).last { $0.contains("requests per second") } ?? ""
    let number = line.components(separatedBy: ": ").last?.components(separatedBy: " ").first ?? ""
    guard let rate = Double(number), process.terminationStatus == 0 else {
        throw BenchmarkError("redis-benchmark failed (status \(process.terminationStatus)): \(output.suffix(200))")
    }
    return Measurement(rate: rate, cpuMicrosecondsPerMessage: cpu * 1e6 / Double(messages))
}

/// How our caller runs.
enum Caller {
    /// In a task that prefers the connection's event loop as its executor.
    case onEventLoop
    /// In a plain task on the global concurrent executor: a thread hop per write and per reply.
    case globalExecutor
}

/// Windows of `window` PUBLISH commands, each written at once, `inFlight` windows at a time; every
/// reply is checked to be an integer. Connecting is not timed.
func clientPipelined(port: Int, messages: Int, window: Int, inFlight: Int, caller: Caller, payload: ByteBuffer) async throws
    -> Measurement
{
    var configuration = RedisConfiguration(port: port)
    configuration.limits.maxPendingCommands = max(1_000, window * inFlight * 2)
    let connection = try await RedisConnection.connect(configuration: configuration, logger: Logger(label: "bench"))
    let command = [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: channelName), payload]
    let batch = Array(repeating: command, count: window)
    let windows = max(1, messages / window)
    let deadline = ContinuousClock.now + .seconds(60)
    let run = { @Sendable () async throws -> Int in
        try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<inFlight {
                group.addTask {
                    var sent = 0
                    var index = lane
                    while index < windows && ContinuousClock.now < deadline {
                        let replies = try await connection.pipeline(batch)
                        guard replies.count == window else {
                            throw BenchmarkError("\(replies.count) replies to a window of \(window)")
                        }
                        for reply in replies {
                            guard case .integer = reply else { throw BenchmarkError("unexpected PUBLISH reply \(reply)") }
                        }
                        sent += window
                        index += inFlight
                    }
                    return sent
                }
            }
            return try await group.reduce(0, +)
        }
    }
    let cpuBefore = cpuSeconds(ofChildren: false)
    let start = ContinuousClock.now
    let sent: Int
    switch caller {
    case .onEventLoop:
        sent = try await withTaskExecutorPreference(connection.taskExecutor) { try await run() }
    case .globalExecutor:
        sent = try await run()
    }
    let elapsed = ContinuousClock.now - start
    let cpu = cpuSeconds(ofChildren: false) - cpuBefore
    await connection.close()
    return Measurement(rate: Double(sent) / seconds(elapsed), cpuMicrosecondsPerMessage: cpu * 1e6 / Double(max(sent, 1)))
}

/// The typed batch: `publish(_ messages:to:)` of `window` messages per call, the caller on the
/// connection's event loop. It builds the commands on every call, as a real caller would.
func clientPublishBatches(port: Int, messages: Int, window: Int, payload: ByteBuffer) async throws -> Measurement {
    let connection = try await RedisConnection.connect(configuration: .init(port: port), logger: Logger(label: "bench"))
    let batch = Array(repeating: payload, count: window)
    let deadline = ContinuousClock.now + .seconds(60)
    let cpuBefore = cpuSeconds(ofChildren: false)
    let start = ContinuousClock.now
    let sent = try await withTaskExecutorPreference(connection.taskExecutor) {
        var sent = 0
        while sent < messages && ContinuousClock.now < deadline {
            let counts = try await connection.publish(batch, to: channelName)
            guard counts.count == window else { throw BenchmarkError("\(counts.count) counts for \(window) messages") }
            sent += window
        }
        return sent
    }
    let elapsed = ContinuousClock.now - start
    let cpu = cpuSeconds(ofChildren: false) - cpuBefore
    await connection.close()
    return Measurement(rate: Double(sent) / seconds(elapsed), cpuMicrosecondsPerMessage: cpu * 1e6 / Double(max(sent, 1)))
}

/// `callers` tasks each awaiting one `publish` at a time on one connection (flushes coalesce).
func clientConcurrent(port: Int, messages: Int, callers: Int, payload: ByteBuffer) async throws -> Measurement {
    let connection = try await RedisConnection.connect(configuration: .init(port: port), logger: Logger(label: "bench"))
    let perCaller = max(1, messages / callers)
    let deadline = ContinuousClock.now + .seconds(60)
    let cpuBefore = cpuSeconds(ofChildren: false)
    let start = ContinuousClock.now
    let sent = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<callers {
            group.addTask {
                var sent = 0
                while sent < perCaller && ContinuousClock.now < deadline {
                    _ = try await connection.publish(payload, to: channelName)
                    sent += 1
                }
                return sent
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - start
    let cpu = cpuSeconds(ofChildren: false) - cpuBefore
    await connection.close()
    return Measurement(rate: Double(sent) / seconds(elapsed), cpuMicrosecondsPerMessage: cpu * 1e6 / Double(max(sent, 1)))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ measurement: Measurement) -> String {
    String(format: "%10.0f msg/s %5.2f µs CPU/msg", measurement.rate, measurement.cpuMicrosecondsPerMessage)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let options = Options.parseOrExit()
if options.isCluster {
    do {
        try await runClusterBenchmark(options: options)
        exit(0)
    } catch {
        print("RedisBenchmark --cluster failed: \(error)")
        exit(1)
    }
}
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
let window = options.window
if options.isPipelineOnly {
    let pinned = try await clientPipelined(
        port: port, messages: options.messages, window: window, inFlight: 1, caller: .onEventLoop, payload: payload)
    print("\(format(pinned))  ours, window \(window), caller on the connection's event loop")
    let global = try await clientPipelined(
        port: port, messages: options.messages, window: window, inFlight: 1, caller: .globalExecutor, payload: payload)
    print("\(format(global))  ours, window \(window), caller on the global executor")
    let typed = try await clientPublishBatches(port: port, messages: options.messages, window: window, payload: payload)
    print("\(format(typed))  ours, publish(_:to:) of \(window) messages per call, on the event loop")
    stopServer()
    exit(0)
}

print(
    """
    PUBLISH to "\(channelName)" of a \(options.payload)-byte payload, \(options.messages) messages per measurement, \
    one connection, redis-server \(server == nil ? "given" : "started") on 127.0.0.1:\(port), no subscribers.
    Method: redis-benchmark -c 1 -P \(window) writes \(window) commands, waits for all \(window) replies, writes the next \
    \(window). Ours does the same with RedisConnection.pipeline (a window of \(window) PUBLISH commands written at once, \
    the next only when every reply is in and checked), the caller running on the connection's event loop \
    (withTaskExecutorPreference(connection.taskExecutor)). Both in the same round against the same server; the ratio is \
    per round. CPU/msg: user+system CPU of that process (ours: the whole benchmark process) per message.
    redis-benchmark: \(describe(redisBenchmark: redisBenchmarkArguments(port: port, messages: options.messages, window: window, clients: 1, payload: payloadText)))
    """
)
var ratios: [Double] = []
for round in 1...options.rounds {
    // Alternate who goes first, so neither always meets a warmer (or busier) machine.
    var reference = Measurement(rate: 0, cpuMicrosecondsPerMessage: 0)
    var ours = reference
    for phase in (round % 2 == 1 ? [0, 1] : [1, 0]) {
        if phase == 0 {
            reference = try redisBenchmark(
                port: port, messages: options.messages, window: window, clients: 1, payload: payloadText)
        } else {
            ours = try await clientPipelined(
                port: port, messages: options.messages, window: window, inFlight: 1, caller: .onEventLoop, payload: payload)
        }
    }
    let ratio = ours.rate / max(reference.rate, 1)
    ratios.append(ratio)
    print(
        "round \(round): redis-benchmark -c 1 -P \(window) \(format(reference)) | ours, window \(window) \(format(ours)) | "
            + String(format: "ratio %.0f%%", ratio * 100)
    )
}
print(String(format: "ours / redis-benchmark, median of %d rounds: %.0f%%", ratios.count, median(ratios) * 100))

print("For reference (one run each, not part of the ratio):")
let global = try await clientPipelined(
    port: port, messages: options.messages, window: window, inFlight: 1, caller: .globalExecutor, payload: payload)
print("\(format(global))  ours, window \(window), caller on the global executor (a thread hop per window each way)")
let halves = max(1, window / 2)
let rolling = try await clientPipelined(
    port: port, messages: options.messages, window: halves, inFlight: 2, caller: .onEventLoop, payload: payload)
print("\(format(rolling))  ours, 2 windows of \(halves) in flight (at most \(halves * 2) commands), on the event loop")
let typed = try await clientPublishBatches(port: port, messages: options.messages, window: window, payload: payload)
print("\(format(typed))  ours, publish(_:to:) of \(window) messages per call, on the event loop")
let concurrent = try await clientConcurrent(
    port: port, messages: min(options.messages, 200_000), callers: window, payload: payload)
print("\(format(concurrent))  ours, publish() from \(window) concurrent callers, no explicit pipelining")
let many = try redisBenchmark(port: port, messages: options.messages, window: window, clients: 50, payload: payloadText)
print("\(format(many))  redis-benchmark -c 50 -P \(window) (50 connections)")
