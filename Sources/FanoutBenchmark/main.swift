// FanoutBenchmark: N WebSocket clients against one gateway process.
//
//   swift build -c release --product aws-realtime --product FanoutBenchmark
//   .build/release/FanoutBenchmark --binary .build/release/aws-realtime --connections 1000,5000,10000 --rate 10 --seconds 15
//
// The gateway runs as a child process (`aws-realtime gateway --allow-anonymous --benchmark-publisher RATE`):
// until the Redis subscriber bus lands, the publisher is a hidden in-process loop inside the
// gateway (same bus path as standalone mode). Each envelope (~200 bytes) carries its publish
// time (CLOCK_REALTIME ns) and a sequence number. Reported: deliveries/s, publish-to-receipt
// latency (p50/p99/p99.9), lost and duplicate messages, the gateway's CPU time per delivery
// (/proc/<pid>/stat utime+stime, which includes the in-process publisher, a rounding error here)
// and its RSS with N connections open. Every phase is bounded in time.
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var binary = ".build/release/aws-realtime"
    var connections = [1000, 5000]
    var rate = 10
    var seconds = 15
    var idle: [Int] = []

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next() ?? ""
            switch argument {
            case "--binary": binary = value
            case "--connections": connections = value.split(separator: ",").compactMap { Int($0) }
            case "--rate": rate = Int(value) ?? rate
            case "--seconds": seconds = min(120, Int(value) ?? seconds)
            case "--idle": idle = value.split(separator: ",").compactMap { Int($0) }
            default:
                print("unknown argument \(argument)")
                exit(2)
            }
        }
    }
}

struct Result {
    var connections: Int
    var rate: Int
    var connected: Int
    var deliveriesPerSecond: Double
    var p50: Int
    var p99: Int
    var p999: Int
    var lost: Int
    var duplicates: Int
    var cpuMicrosPerDelivery: Double
    var rssMiB: Double
    var closedEarly: Int
}

func raiseFileLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// utime + stime of `pid` in microseconds.
func cpuMicros(pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the command: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) * 1_000_000 / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func rssMiB(pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}

func waitForPort(_ port: Int, timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(fd)
        if result == 0 { return true }
        usleep(100_000)
    }
    return false
}

func run(connections: Int, rate: Int, seconds: Int, binary: String, group: MultiThreadedEventLoopGroup) async throws -> Result {
    let port = freePort()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = [
        "gateway", "--allow-anonymous", "--host", "127.0.0.1", "--port", String(port), "--benchmark-publisher", String(rate),
    ]
    var environment = ProcessInfo.processInfo.environment
    environment["GATEWAY_MAX_CONNECTIONS"] = String(connections + 100)
    environment["LOG_LEVEL"] = "warning"
    process.environment = environment
    try process.run()
    defer {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
    let pid = process.processIdentifier
    guard waitForPort(port, timeout: 30) else { throw BenchmarkError(message: "gateway did not listen on \(port)") }

    let stats = LoadStats()
    let bootstrap = ClientBootstrap(group: group)
        .channelOption(.socketOption(.so_reuseaddr), value: 1)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    LoadClientHandler(stats: stats, host: "127.0.0.1:\(port)", stream: "aws-metrics"))
            }
        }
    var channels: [any Channel] = []
    channels.reserveCapacity(connections)
    let setupDeadline = Date().addingTimeInterval(180)
    var opened = 0
    while opened < connections, Date() < setupDeadline {
        let batch = min(200, connections - opened)
        let futures = (0..<batch).map { _ in bootstrap.connect(host: "127.0.0.1", port: port) }
        for future in futures {
            if let channel = try? await future.get() { channels.append(channel) }
        }
        opened += batch
        // Let the gateway take the handshakes before the next batch.
        while stats.state.withLock({ $0.connected + $0.failed }) < channels.count - 50, Date() < setupDeadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
    while stats.state.withLock({ $0.subscribed }) < channels.count, Date() < setupDeadline {
        try await Task.sleep(for: .milliseconds(50))
    }
    try await Task.sleep(for: .seconds(2))
    let rss = rssMiB(pid: pid)
    let connected = stats.state.withLock { $0.subscribed }

    // Measure.
    let startSequence = stats.state.withLock { state in
        state.measuredFrom = state.maxSequence + 2
        return state.measuredFrom
    }
    let cpuStart = cpuMicros(pid: pid)
    let start = Date()
    try await Task.sleep(for: .seconds(seconds))
    let elapsed = Date().timeIntervalSince(start)
    let cpuEnd = cpuMicros(pid: pid)
    let endSequence = stats.state.withLock { $0.maxSequence } - 1
    try await Task.sleep(for: .seconds(2))  // stragglers of the window

    let tally = stats.state.withLock { state -> (delivered: Int, lost: Int, duplicates: Int, closed: Int) in
        var delivered = 0
        var lost = 0
        if endSequence >= startSequence {
            for sequence in startSequence...endSequence {
                let count = sequence < state.perSequence.count ? state.perSequence[sequence] : 0
                delivered += count
                lost += max(0, connected - count)
            }
        }
        return (delivered, lost, state.duplicates, state.closed)
    }
    let result = Result(
        connections: connections, rate: rate, connected: connected,
        deliveriesPerSecond: Double(tally.delivered) / elapsed,
        p50: stats.percentile(0.5), p99: stats.percentile(0.99), p999: stats.percentile(0.999),
        lost: tally.lost, duplicates: tally.duplicates,
        cpuMicrosPerDelivery: tally.delivered > 0 ? (cpuEnd - cpuStart) / Double(tally.delivered) : 0,
        rssMiB: rss, closedEarly: tally.closed)
    for channel in channels { channel.close(promise: nil) }
    process.terminate()
    process.waitUntilExit()
    return result
}

struct BenchmarkError: Error {
    var message: String
}

let options = Options(arguments: CommandLine.arguments)
let fileLimit = raiseFileLimit()
print("open files limit: \(fileLimit)")
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
var results: [Result] = []
for connections in options.connections {
    guard connections + 200 < fileLimit else {
        print("skipping \(connections) connections: the open files limit is \(fileLimit)")
        continue
    }
    print("running \(connections) connections at \(options.rate) msg/s for \(options.seconds) s ...")
    results.append(
        try await run(
            connections: connections, rate: options.rate, seconds: options.seconds, binary: options.binary, group: group))
}
for connections in options.idle where connections + 200 < fileLimit {
    print("running \(connections) idle connections ...")
    results.append(try await run(connections: connections, rate: 0, seconds: 3, binary: options.binary, group: group))
}
try await group.shutdownGracefully()

func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
print("")
print(
    "| connections | rate msg/s | subscribed | deliveries/s | p50 ms | p99 ms | p99.9 ms | lost | dup | gateway CPU µs/delivery | gateway RSS MiB | closed |"
)
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in results {
    let row = [
        String(r.connections), String(r.rate), String(r.connected), String(format: "%.0f", r.deliveriesPerSecond),
        String(format: "%.2f", Double(r.p50) / 1000), String(format: "%.2f", Double(r.p99) / 1000),
        String(format: "%.2f", Double(r.p999) / 1000), String(r.lost), String(r.duplicates),
        r.rate > 0 ? String(format: "%.2f", r.cpuMicrosPerDelivery) : "-", String(format: "%.1f", r.rssMiB),
        String(r.closedEarly),
    ]
    print("| " + row.joined(separator: " | ") + " |")
}
