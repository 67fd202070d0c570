// FanoutBenchmark: N WebSocket (or Socket.IO) clients against one gateway process.
//
//   swift build -c release --package-path Benchmarks --product FanoutGateway
//   swift build -c release --package-path Benchmarks --product FanoutBenchmark
//   Benchmarks/.build/release/FanoutBenchmark --connections 1000,5000 --rate 10 \
//       --seconds 10 --idle 10000 --protocols websocket,socketio [--bus in-process|redis|cluster|nchan]
//
// Run from the repository root. `--bus in-process` (the default) starts FanoutGateway, built
// beside this executable; `--bus redis|cluster` starts the product's gateway,
// `.build/release/aws-realtime` unless `--binary` (`swift build -c release --product aws-realtime`).
// `--bus nchan` starts nginx + nchan instead of a gateway, the peer to compare with
// `--bus redis` (see NchanProcess); it needs Debian's packages, not part of CI:
//   apt-get install -y nginx libnginx-mod-nchan   (leave the packaged nginx service stopped)
// (`swift build` builds only the last of several `--product` options: build them one by one.)
import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Prints a progress line at once (stdout is block-buffered in a pipe), so the gateway's pid
/// can be read while it runs.
func progress(_ line: String) {
    print(line)
    fflush(nil)
}

let options = Options(arguments: CommandLine.arguments)
let fileLimit = SystemProbe.raiseFileLimit()
try options.pinning?.pinThisProcess()
if !options.writeFloor.isEmpty {
    print(
        """
        The kernel's floor: one write(2) of 200 bytes to each of N loopback TCP sockets (TCP_NODELAY), RATE rounds a
        second for SECONDS, by one thread in a plain loop; a second thread reads the other ends with epoll. CPU of the
        writing thread (getrusage RUSAGE_THREAD) per write: on loopback it includes the receiver's TCP input.

        | sockets | writes | system µs/write | user µs/write | load before |
        |---:|---:|---:|---:|---:|
        """)
    for connections in options.writeFloor where 2 * connections + 200 < fileLimit {
        let load = SystemProbe.loadAverage()
        let floor = try await WriteFloor.run(
            connections: connections, rate: options.rate, seconds: options.seconds, group: MultiThreadedEventLoopGroup.singleton)
        print(
            "| \(floor.connections) | \(floor.writes) | \(String(format: "%.2f", floor.systemMicroseconds)) | "
                + "\(String(format: "%.2f", floor.userMicroseconds)) | \(String(format: "%.2f", load)) |")
        fflush(nil)
    }
    exit(0)
}
let busNote: String
switch options.bus {
case .inProcess:
    busNote = "in-process (the gateway's own publisher)."
case .nchan:
    busNote =
        "nchan. Not the gateway: each run starts a fresh redis-server and nginx (one worker process) with nchan in"
        + " `nchan_redis_storage_mode nostore` on it; the clients subscribe on `nchan_subscriber websocket`"
        + " (/sub/aws_metrics, subscribed at the upgrade); this process publishes the same envelopes at RATE in nchan's"
        + " own msgpack frame with PUBLISH {channel:/aws_metrics}:pubsub. The relay's CPU and RSS are nginx's worker"
        + " process's; redis CPU is redis-server's over the window."
case .redis, .cluster:
    let cluster = options.bus == .cluster
    busNote =
        (cluster
            ? "cluster. Each run starts a fresh 3-primary Redis Cluster (no replicas, sharded pub/sub)"
            : "redis. Each run starts a fresh redis-server")
        + " on 127.0.0.1; the gateway runs `--bus redis` with REDIS_URL and REDIS_KEY_PREFIX (the product's `aws-realtime gateway`);"
        + " this process publishes the same envelopes at RATE through the product's publish path (RedisPublisherBus:"
        + " the lease, then the publish script, over " + (cluster ? "RedisClusterClient, SPUBLISH" : "RedisClient, PUBLISH")
        + ") on an event loop thread of its own, whose CPU time (RUSAGE_THREAD) is the publishing side's; redis CPU is"
        + " utime+stime of the redis-server processes over the window. Both per message published in the window."
}
let pinningNote =
    options.pinning.map {
        "Pinned (taskset): the relay's every thread (nginx's master and worker) on CPU \($0.relayCPU); this process and"
            + " redis-server on CPU \($0.restCPU)."
    } ?? "Nothing is pinned (no taskset): every process shares the \(ProcessInfo.processInfo.activeProcessorCount) cores."
let loopsNote = options.gatewayLoops.map { "The gateway runs \($0) event loop(s) (NIO_SINGLETON_GROUP_LOOP_COUNT)." } ?? ""
print(
    """
    Method: each run starts a fresh gateway (`FanoutGateway --rate RATE`: the product's Gateway on the in-process bus,
    a child process) whose in-process publisher sends RATE ~200-byte envelopes a second on aws-metrics, each carrying its
    publish time (CLOCK_REALTIME) and a sequence number. The load client (this process, \(options.clientThreads) NIO thread(s))
    opens the connections in batches of 200, subscribes each, waits 2 s, reads the gateway's RSS, then measures for
    the window: deliveries/s, publish-to-receipt latency (it includes the load client's own queueing: the client
    shares the machine's \(ProcessInfo.processInfo.activeProcessorCount) cores with the gateway), lost and duplicate messages. CPU is reported
    apart: the gateway's (utime+stime of its process, every thread, including its publisher and idle timers) and
    the load client's (getrusage), each per delivery, and the machine's busy share over the window; the load
    average (1 min) before and after each run says what else ran. Relay+redis: the relay's CPU and redis-server's
    together per delivery (nchan's relaying includes Redis's pub/sub work). KiB/conn: what the connections added to
    the relay's RSS (after setup minus right after start) per subscribed connection. \(pinningNote)
    Open files limit: \(fileLimit).
    BusKind: \(busNote) \(loopsNote)

    """)
let group = MultiThreadedEventLoopGroup(numberOfThreads: options.clientThreads)
var results: [FanoutRun.Result] = []
for loadProtocol in options.protocols {
    var runs = options.connections.map { (connections: $0, rate: options.rate, seconds: options.seconds) }
    runs += options.idle.map { (connections: $0, rate: 0, seconds: 3) }
    for run in runs {
        guard run.connections + 200 < fileLimit else {
            print("skipping \(run.connections) connections: the open files limit is \(fileLimit)")
            continue
        }
        progress(
            "running \(loadProtocol.rawValue): \(run.connections) connections at \(run.rate) msg/s for \(run.seconds) s "
                + "(load average \(String(format: "%.2f", SystemProbe.loadAverage())))"
        )
        let result = try await FanoutRun(
            loadProtocol: loadProtocol, connections: run.connections, rate: run.rate, seconds: run.seconds,
            setupSeconds: options.setupSeconds, holdSeconds: options.holdSeconds, binary: options.gatewayBinary,
            bus: options.bus, pinning: options.pinning, gatewayLoops: options.gatewayLoops
        ).run(group: group)
        progress(
            "  \(result.subscribed) of \(run.connections) subscribed in \(String(format: "%.1f", result.setupSeconds)) s"
                + (result.setupFailures.isEmpty ? "" : "; \(result.setupFailures)")
        )
        results.append(result)
    }
}
try await group.shutdownGracefully()

print("")
print(
    "| bus | protocol | connections | rate msg/s | subscribed | deliveries/s | p50 ms | p99 ms | p99.9 ms | lost | dup | "
        + "relay CPU µs/delivery (user+sys) | relay+redis CPU µs/delivery | client CPU µs/delivery | published | "
        + "publisher CPU µs/msg | redis CPU µs/msg | machine busy | relay RSS MiB | KiB/conn | load before/after |"
)
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in results {
    let measured = r.rate > 0
    let viaRedis = measured && r.bus != .inProcess
    let perMessage = { (micros: Double) in String(format: "%.1f", micros / Double(max(1, r.publishedInWindow))) }
    let row = [
        r.bus.rawValue, r.loadProtocol.rawValue, String(r.connections), String(r.rate), String(r.subscribed),
        measured ? String(format: "%.0f", r.deliveriesPerSecond) : "-",
        measured ? String(format: "%.1f", Double(r.p50) / 1000) : "-",
        measured ? String(format: "%.1f", Double(r.p99) / 1000) : "-",
        measured ? String(format: "%.1f", Double(r.p999) / 1000) : "-",
        measured ? String(r.lost) : "-", measured ? String(r.duplicates) : "-",
        measured
            ? String(
                format: "%.2f (%.2f+%.2f)", r.perDelivery(r.relayCPU.total), r.perDelivery(r.relayCPU.user),
                r.perDelivery(r.relayCPU.system)) : "-",
        viaRedis ? String(format: "%.2f", r.perDelivery(r.relayCPU.total + r.redisCPU)) : "-",
        measured ? String(format: "%.2f", r.perDelivery(r.clientCPU.total)) : "-",
        viaRedis ? String(r.publishedInWindow) : "-", viaRedis ? perMessage(r.publisherCPU) : "-",
        viaRedis ? perMessage(r.redisCPU) : "-",
        String(format: "%.0f %%", r.machineBusy * 100), String(format: "%.1f", r.rssMiB),
        String(format: "%.1f", r.kibPerConnection),
        String(format: "%.2f/%.2f", r.loadBefore, r.loadAfter),
    ]
    print("| " + row.joined(separator: " | ") + " |")
}
