import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The gateway under test on 127.0.0.1, a child process of the benchmark, so its CPU time and
/// memory are its own: `FanoutGateway --rate RATE` (this package: the product's gateway on the
/// in-process bus with its publisher), or `aws-realtime gateway --allow-anonymous --bus redis`
/// with `REDIS_URL` and `REDIS_KEY_PREFIX` in `environment`.
final class GatewayProcess: RelayProcess {
    /// The gateway's bus: in-process with its own publisher at a rate (`FanoutGateway`), or Redis
    /// (`aws-realtime gateway`).
    enum Bus {
        case inProcess(rate: Int)
        case redis
    }

    let port: Int
    private let process = Process()

    var pid: Int32 { process.processIdentifier }
    var measuredPID: Int32 { pid }
    var pids: [Int32] { [pid] }
    var folders: [URL] { [] }

    /// Starts the gateway and waits (at most 30 s) until it accepts connections.
    init(binary: String, bus: Bus, maxConnections: Int, environment extra: [String: String]) throws {
        port = Self.freePort()
        process.executableURL = URL(fileURLWithPath: binary)
        let listen = ["--host", "127.0.0.1", "--port", String(port)]
        switch bus {
        case .inProcess(let rate): process.arguments = listen + ["--rate", String(rate)]
        case .redis: process.arguments = ["gateway", "--allow-anonymous"] + listen + ["--bus", "redis"]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["GATEWAY_MAX_CONNECTIONS"] = String(maxConnections)
        // Every load client connects from 127.0.0.1, up to 200 handshakes at once.
        environment["GATEWAY_MAX_PENDING_HANDSHAKES"] = String(maxConnections)
        environment["GATEWAY_MAX_PENDING_HANDSHAKES_PER_ADDRESS"] = String(maxConnections)
        environment["LOG_LEVEL"] = "warning"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        try process.run()
        guard Self.waitForPort(port, timeout: 30) else {
            stop()
            throw BenchmarkError(message: "gateway did not listen on \(port)")
        }
    }

    deinit { stop() }

    /// SIGTERM, then waits for the exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    static func freePort() -> Int {
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

    static func waitForPort(_ port: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if result == 0 { return true }
            usleep(100_000)
        }
        return false
    }
}

struct BenchmarkError: Error {
    var message: String
}
