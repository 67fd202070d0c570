import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Redis servers a benchmark starts for itself on 127.0.0.1 and removes again: one node, or a
/// Redis Cluster of primaries without replicas (`redis-cli --cluster create`), each in a scratch
/// folder that ``stop()`` deletes with the servers' files.
///
/// Every wait is bounded: a server answers `PING` within 10 s, the cluster is created within 30 s
/// and every node says `cluster_state:ok` within 30 s; a start that fails stops what it started.
/// SIGINT and SIGTERM stop the servers too (``stopOnSignals()``), so an interrupted run leaves
/// nothing behind.
public final class RedisLoopbackServers {
    /// The servers' ports, in start order; on a cluster the first is the seed.
    public let ports: [Int]
    /// Whether the servers form a Redis Cluster.
    public let isCluster: Bool
    /// The scratch folder: the servers' working directory, cluster config files and logs.
    public let directory: URL
    private var processes: [Process]
    private var signalSources: [any DispatchSourceSignal] = []

    /// The server processes' ids (for their CPU time).
    public var pids: [Int32] { self.processes.map(\.processIdentifier) }

    private init(ports: [Int], isCluster: Bool, directory: URL, processes: [Process]) {
        self.ports = ports
        self.isCluster = isCluster
        self.directory = directory
        self.processes = processes
    }

    deinit { self.stop() }

    /// One `redis-server` on a free port.
    public static func startNode() throws -> RedisLoopbackServers {
        try self.start(ports: [Self.freePort()], isCluster: false)
    }

    /// `primaries` cluster-enabled servers on free ports (each with its cluster bus port, port +
    /// 10000, free too), joined into one cluster that covers all 16,384 slots.
    public static func startCluster(primaries: Int = 3) throws -> RedisLoopbackServers {
        var ports: [Int] = []
        for _ in 0..<max(3, primaries) { ports.append(try Self.freeClusterPort(excluding: ports)) }
        let servers = try Self.start(ports: ports, isCluster: true)
        do {
            let create = try servers.run(
                "/usr/bin/redis-cli",
                ["--cluster", "create"] + ports.map { "127.0.0.1:\($0)" } + ["--cluster-replicas", "0", "--cluster-yes"],
                timeout: 30)
            guard create.contains("All 16384 slots covered") else {
                throw RedisLoopbackError("redis-cli --cluster create did not cover every slot: \(create.suffix(300))")
            }
            try servers.waitUntil(timeout: 30, "cluster_state:ok on every node") {
                try ports.allSatisfy { try servers.cli(port: $0, ["CLUSTER", "INFO"]).contains("cluster_state:ok") }
            }
        } catch {
            servers.stop()
            throw error
        }
        return servers
    }

    private static func start(ports: [Int], isCluster: Bool) throws -> RedisLoopbackServers {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aws-realtime-bench-redis-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let servers = RedisLoopbackServers(ports: ports, isCluster: isCluster, directory: directory, processes: [])
        do {
            for port in ports {
                var arguments = [
                    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis-\(port).log").path,
                ]
                if isCluster {
                    arguments += [
                        "--cluster-enabled", "yes", "--cluster-config-file",
                        directory.appendingPathComponent("nodes-\(port).conf").path,
                    ]
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                servers.processes.append(process)
            }
            for port in ports {
                try servers.waitUntil(timeout: 10, "redis-server on port \(port) answers PING") {
                    (try? servers.cli(port: port, ["PING"]))?.hasPrefix("PONG") ?? false
                }
            }
        } catch {
            servers.stop()
            throw error
        }
        return servers
    }

    /// Kills every server (SIGKILL: they hold no data), waits for each to exit and deletes the
    /// scratch folder. Safe to call more than once.
    public func stop() {
        if !self.signalSources.isEmpty {
            for source in self.signalSources { source.cancel() }
            self.signalSources = []
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        for process in self.processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        for process in self.processes { process.waitUntilExit() }
        self.processes = []
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Makes SIGINT and SIGTERM kill the servers (and the processes `alsoKilling`: what a run
    /// started beside them), delete the scratch folder (and `alsoRemoving`) and exit the process
    /// (status 130 or 143), until ``stop()``. Call once, after the start.
    public func stopOnSignals(alsoKilling others: [Int32] = [], alsoRemoving folders: [URL] = []) {
        let pids = others + self.pids
        let directories = folders + [self.directory]
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                for pid in pids { kill(pid, SIGKILL) }
                for directory in directories { try? FileManager.default.removeItem(at: directory) }
                exit(128 + signalNumber)
            }
            source.resume()
            self.signalSources.append(source)
        }
    }

    /// User plus system CPU seconds the servers have used so far (`/proc/<pid>/stat`).
    public func cpuSeconds() -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return self.pids.reduce(0) { total, pid in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = text.lastIndex(of: ")")
            else { return total }
            // After the command name: utime and stime are fields 14 and 15 (1-based in proc(5)).
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return total }
            return total + (user + system) / ticks
        }
    }

    /// `redis-cli -h 127.0.0.1 -p PORT ARGUMENTS...` (within 10 s): what it printed.
    public func cli(port: Int, _ arguments: [String]) throws -> String {
        try self.run("/usr/bin/redis-cli", ["-h", "127.0.0.1", "-p", String(port)] + arguments, timeout: 10)
    }

    /// Runs a program to its end, or kills it after `timeout` seconds and throws; its standard
    /// output (through a file in the scratch folder, so a large output cannot block it).
    private func run(_ executable: String, _ arguments: [String], timeout: Double) throws -> String {
        let output = self.directory.appendingPathComponent("cli-\(UInt32.random(in: 0...UInt32.max)).out")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw RedisLoopbackError("could not create \(output.path)")
        }
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw RedisLoopbackError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
    }

    private func waitUntil(timeout: Double, _ what: String, _ isDone: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try isDone() { return }
            usleep(50_000)
        }
        let logs = self.ports.compactMap { port in
            (try? String(contentsOf: self.directory.appendingPathComponent("redis-\(port).log"), encoding: .utf8))
                .map { "\(port): \($0.suffix(300))" }
        }
        throw RedisLoopbackError("no \(what) within \(timeout) s; logs: \(logs.joined(separator: " | "))")
    }

    /// A port the kernel hands out for 127.0.0.1 now.
    static func freePort() throws -> Int {
        for _ in 0..<100 {
            if let port = Self.bindable(0) { return port }
        }
        throw RedisLoopbackError("no free port on 127.0.0.1")
    }

    /// A port below 55536 that is free on 127.0.0.1 together with port + 10000 (the node's
    /// cluster bus), tried at random in 20000..<30000 (below the kernel's ephemeral range).
    static func freeClusterPort(excluding taken: [Int]) throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<30_000)
            guard !taken.contains(port), Self.bindable(port) == port, Self.bindable(port + 10_000) == port + 10_000 else {
                continue
            }
            return port
        }
        throw RedisLoopbackError("no free pair of ports (P, P + 10000) on 127.0.0.1 in 20000..<40000")
    }

    /// Binds a TCP socket to 127.0.0.1:`port` (0: any) and closes it; the port bound, or `nil`.
    private static func bindable(_ port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}

/// A Redis server or cluster that would not start, or a `redis-cli` call that failed.
public struct RedisLoopbackError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
