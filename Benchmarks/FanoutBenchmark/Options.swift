import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the published messages come from (`--bus`).
enum BusKind: String, Sendable {
    /// The gateway's own in-process bus and publisher: `FanoutGateway --rate RATE`, of this package.
    case inProcess = "in-process"
    /// One `redis-server` this benchmark starts; the gateway runs `--bus redis`, this process publishes.
    case redis
    /// A 3-primary Redis Cluster this benchmark starts; sharded pub/sub (`SPUBLISH`).
    case cluster
    /// Not the gateway: nginx with nchan (Debian's `nginx` and `libnginx-mod-nchan`) on one
    /// `redis-server` in `nostore` mode, the peer to beat (``NchanProcess``); this process
    /// publishes nchan's own Redis message frame (``NchanFrame``).
    case nchan
}

/// The command line: `--binary PATH --connections 1000,5000 --rate 10 --seconds 10 --idle 10000
/// --protocols websocket,socketio --client-threads 1 --bus in-process|redis|cluster|nchan`.
struct Options {
    /// The gateway executable each run starts; nil for the bus's default (`gatewayBinary`).
    var binary: String?
    var connections = [1000, 5000]
    var rate = 10
    var seconds = 15
    var idle: [Int] = []
    var protocols: [LoadProtocol] = [.webSocket]
    var clientThreads = 1
    /// Seconds allowed for opening and subscribing every connection of one run.
    var setupSeconds = 120
    /// Seconds to keep each run's gateway and connections up after measuring, to inspect it
    /// (`perf`, `gdb`, `/proc/<pid>/smaps`); its pid is printed.
    var holdSeconds = 0
    /// Connection counts for the kernel's floor (`WriteFloor`) instead of gateway runs.
    var writeFloor: [Int] = []
    var bus = BusKind.inProcess
    /// `--pin RELAY,REST`: the relay on one CPU, everything else on another (``CPUPinning``).
    var pinning: CPUPinning?
    /// `--gateway-loops N`: the gateway's event loops (NIO's `NIO_SINGLETON_GROUP_LOOP_COUNT`);
    /// nil for its default, one a core, or one when pinned, as nchan runs one worker process.
    var gatewayLoops: Int?

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--help" || argument == "-h" { Self.usage(nil) }
            guard let value = iterator.next() else { Self.usage("\(argument) needs a value") }
            switch argument {
            case "--binary": binary = value
            case "--connections": connections = value.split(separator: ",").compactMap { Int($0) }
            case "--rate": rate = Int(value) ?? rate
            case "--seconds": seconds = min(120, Int(value) ?? seconds)
            case "--idle": idle = value.split(separator: ",").compactMap { Int($0) }
            case "--protocols":
                protocols = value.split(separator: ",").compactMap { LoadProtocol(rawValue: String($0)) }
                if protocols.isEmpty { Self.usage("--protocols takes websocket and/or socketio") }
            case "--client-threads": clientThreads = max(1, min(4, Int(value) ?? clientThreads))
            case "--setup-seconds": setupSeconds = max(10, min(300, Int(value) ?? setupSeconds))
            case "--hold-seconds": holdSeconds = max(0, min(300, Int(value) ?? holdSeconds))
            case "--bus":
                guard let bus = BusKind(rawValue: value) else {
                    Self.usage("--bus takes in-process, redis, cluster or nchan")
                }
                self.bus = bus
            case "--pin":
                guard let pinning = CPUPinning(value) else {
                    Self.usage("--pin takes two different CPUs of this machine, RELAY,REST (0,1)")
                }
                self.pinning = pinning
            case "--gateway-loops":
                guard let loops = Int(value), (1...64).contains(loops) else { Self.usage("--gateway-loops takes 1 to 64") }
                gatewayLoops = loops
            case "--write-floor": writeFloor = value.split(separator: ",").compactMap { Int($0) }.map { min($0, 20_000) }
            default: Self.usage("unknown argument \(argument)")
            }
        }
        if bus == .inProcess, let binary, URL(fileURLWithPath: binary).lastPathComponent == "aws-realtime" {
            Self.usage(
                "--bus in-process runs FanoutGateway (this package), not aws-realtime: leave out --binary or give a FanoutGateway"
            )
        }
        // nchan's subscribers speak plain WebSocket on its own location: no subscribe message.
        if bus == .nchan { protocols = [.nchan] } else { protocols.removeAll { $0 == .nchan } }
        if protocols.isEmpty { Self.usage("--protocols nchan goes with --bus nchan") }
        if pinning != nil, gatewayLoops == nil { gatewayLoops = 1 }
    }

    /// The gateway to start: `--binary`, else `FanoutGateway` beside this executable for
    /// `--bus in-process` (build both from Benchmarks/), `/usr/sbin/nginx` for `--bus nchan`,
    /// else the product's `.build/release/aws-realtime` (run from the repository root).
    var gatewayBinary: String {
        if let binary { return binary }
        switch bus {
        case .inProcess:
            let executable =
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("FanoutGateway").path
        case .redis, .cluster:
            return ".build/release/aws-realtime"
        case .nchan:
            return "/usr/sbin/nginx"
        }
    }

    /// Prints the usage; exits 0 for `--help` (no message), 2 otherwise.
    static func usage(_ message: String?) -> Never {
        if let message { print(message) }
        print(
            "usage: FanoutBenchmark [--binary PATH (default: FanoutGateway beside this executable for --bus in-process, "
                + ".build/release/aws-realtime for redis and cluster, /usr/sbin/nginx for nchan)] [--connections N,…] [--rate R] [--seconds S] [--idle N,…] "
                + "[--protocols websocket,socketio] [--client-threads T] [--setup-seconds S] [--hold-seconds S] "
                + "[--bus in-process|redis|cluster|nchan] [--pin RELAY_CPU,REST_CPU] [--gateway-loops N (default: 1 when pinned)] "
                + "[--write-floor N,… (the kernel's cost of a bare write per socket, instead of gateway runs)]")
        exit(message == nil ? 0 : 2)
    }
}
