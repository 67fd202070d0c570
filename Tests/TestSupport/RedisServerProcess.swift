import Foundation
import NIOCore
import NIOPosix

/// A real `redis-server` on a free 127.0.0.1 port for integration tests: no persistence, its own
/// temporary directory, killed at the end of ``withServer(_:_:)``. It can be killed and started
/// again on the same port, and started with an ACL file and with TLS only.
public actor RedisServerProcess {
    public struct Options: Sendable {
        /// ACL file lines, e.g. `user alice on >secret ~* &* +@all`.
        public var aclLines: [String]
        /// Serve TLS only (`--port 0 --tls-port P`), with these files.
        public var tls: RedisTestCertificates?
        /// More `--name value` arguments.
        public var extraArguments: [String]

        public init(aclLines: [String] = [], tls: RedisTestCertificates? = nil, extraArguments: [String] = []) {
            self.aclLines = aclLines
            self.tls = tls
            self.extraArguments = extraArguments
        }
    }

    public nonisolated let port: Int
    public nonisolated let directory: URL
    private let options: Options
    private var process: Process?

    private init(port: Int, directory: URL, options: Options) {
        self.port = port
        self.directory = directory
        self.options = options
    }

    /// Starts a server, runs `body`, and stops the server and removes its directory, also when
    /// `body` throws.
    public static func withServer<T: Sendable>(
        _ options: Options = Options(),
        _ body: (RedisServerProcess) async throws -> T
    ) async throws -> T {
        let port = try FreePort.next()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = RedisServerProcess(port: port, directory: directory, options: options)
        do {
            try await server.start()
            let result = try await body(server)
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
            return result
        } catch {
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    private func arguments() throws -> [String] {
        var arguments = [
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", self.directory.path,
            "--logfile", self.directory.appendingPathComponent("redis.log").path,
        ]
        if let tls = self.options.tls {
            arguments += [
                "--port", "0",
                "--tls-port", String(self.port),
                "--tls-cert-file", tls.serverCertificate,
                "--tls-key-file", tls.serverKey,
                "--tls-ca-cert-file", tls.caCertificate,
                "--tls-auth-clients", "no",
            ]
        } else {
            arguments += ["--port", String(self.port)]
        }
        if !self.options.aclLines.isEmpty {
            let aclFile = self.directory.appendingPathComponent("users.acl")
            try (self.options.aclLines.joined(separator: "\n") + "\n").write(to: aclFile, atomically: true, encoding: .utf8)
            arguments += ["--aclfile", aclFile.path]
        }
        return arguments + self.options.extraArguments
    }

    /// Starts the server (again) on ``port`` and waits until it accepts connections (at most 10 s).
    public func start() async throws {
        guard self.process == nil else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = try self.arguments()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard Self.isAlive(process) else {
                let log = (try? String(contentsOf: self.directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
                self.process = nil
                throw ServerError(message: "redis-server exited at start: \(log.suffix(2000))")
            }
            if await Self.accepts(port: self.port) {
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ServerError(message: "redis-server did not accept connections on 127.0.0.1:\(self.port) within 10 s")
    }

    /// Kills the server with SIGKILL, as a crash would, and waits until it is gone (at most 5 s).
    public func kill() async {
        guard let process = self.process else { return }
        self.process = nil
        Foundation.kill(process.processIdentifier, SIGKILL)
        await Self.waitForExit(process)
    }

    /// Kills and starts the server on the same port.
    public func restart() async throws {
        await self.kill()
        try await self.start()
    }

    /// Stops the server. With no persistence there is nothing to save, so it is killed: a
    /// SIGTERM can sit unhandled for seconds when the test process passes ignored signals on.
    public func stop() async {
        await self.kill()
    }

    static func waitForExit(_ process: Process, timeout: Duration = .seconds(5)) async {
        let deadline = ContinuousClock.now + timeout
        while Self.isAlive(process) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Whether the process still runs. Read from /proc (a zombie counts as gone), because
    /// `Process.isRunning` can lag behind the real exit by seconds on Linux, and `waitpid` here
    /// would race Foundation's own reaping.
    static func isAlive(_ process: Process) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8) else {
            return false
        }
        // Format: pid (comm) state ...; comm may contain spaces, so read after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    private static func accepts(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(200))
                .connect(host: "127.0.0.1", port: port)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { self.message }
    }
}
