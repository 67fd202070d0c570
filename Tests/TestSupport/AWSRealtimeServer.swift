import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real `aws-realtime worker` or `aws-realtime gateway` child process for process-level tests: the
/// debug binary built by `swift build`, listening on a free 127.0.0.1 port (the worker's operations
/// endpoints, the gateway's clients), its standard error (the log) in a file. Signals go to its pid
/// (SIGKILL, SIGSTOP, SIGCONT); ``kill()`` ends it in every state, stopped included, and is what
/// every test calls on its way out.
public actor AWSRealtimeServer {
    /// `.build/debug/aws-realtime` of this checkout, found from this file's path.
    public static var executable: String {
        TestRepository.debugExecutable
    }

    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// `worker` or `gateway`: the subcommand it runs.
    public nonisolated let role: String
    public nonisolated let name: String
    public nonisolated let port: Int
    public nonisolated let pid: Int32
    public nonisolated let logPath: String
    private var process: Process?

    private init(role: String, launched: ServerChildProcess.Launched, name: String) {
        self.role = role
        self.name = name
        self.port = launched.port
        self.pid = launched.process.processIdentifier
        self.process = launched.process
        self.logPath = launched.logPath
    }

    /// Starts `aws-realtime worker --host 127.0.0.1 --port <free> --config <configPath>` with exactly
    /// `environment` (nothing inherited, so no real credentials or profile can leak in), its log in
    /// `logDirectory`, and waits until `/health` answers (at most `startupTimeout`).
    public static func startWorker(
        name: String, configPath: String, environment: [String: String], logDirectory: URL,
        startupTimeout: Duration = .seconds(30)
    ) async throws -> AWSRealtimeServer {
        try await start(
            role: "worker", name: name, arguments: ["--config", configPath], environment: environment,
            logDirectory: logDirectory, startupTimeout: startupTimeout)
    }

    /// ``startWorker(name:configPath:environment:logDirectory:startupTimeout:)`` with `configuration`
    /// (YAML) written to `<logDirectory>/<name>.yaml` first.
    public static func startWorker(
        name: String, configuration: String, environment: [String: String], logDirectory: URL,
        startupTimeout: Duration = .seconds(30)
    ) async throws -> AWSRealtimeServer {
        let path = logDirectory.appendingPathComponent("\(name).yaml").path
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        return try await startWorker(
            name: name, configPath: path, environment: environment, logDirectory: logDirectory, startupTimeout: startupTimeout)
    }

    /// Starts `aws-realtime gateway --host 127.0.0.1 --port <free> [arguments]` with exactly
    /// `environment` (nothing inherited), its log in `logDirectory`, and waits until `/health`
    /// answers (at most `startupTimeout`).
    public static func startGateway(
        name: String, arguments: [String] = ["--allow-anonymous"], environment: [String: String], logDirectory: URL,
        startupTimeout: Duration = .seconds(30)
    ) async throws -> AWSRealtimeServer {
        try await start(
            role: "gateway", name: name, arguments: arguments, environment: environment, logDirectory: logDirectory,
            startupTimeout: startupTimeout)
    }

    private static func start(
        role: String, name: String, arguments: [String], environment: [String: String], logDirectory: URL,
        startupTimeout: Duration
    ) async throws -> AWSRealtimeServer {
        let launched = try ServerChildProcess.launch(
            role: role, name: name, arguments: arguments, environment: environment, logDirectory: logDirectory)
        try await ServerChildProcess.waitForHealth(launched, role: role, name: name, timeout: startupTimeout)
        return AWSRealtimeServer(role: role, launched: launched, name: name)
    }

    /// Whether the process still runs (a zombie counts as gone; a stopped process counts as alive).
    public nonisolated var isAlive: Bool { ChildProcessState.isAlive(pid) }

    /// Sends `signal` (SIGSTOP, SIGCONT, SIGKILL, ...) to the process.
    public func send(_ signal: Int32) {
        guard process != nil else { return }
        _ = Foundation.kill(pid, signal)
    }

    /// Waits until the process has exited (at most `timeout`); returns whether it has.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while isAlive, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        return !isAlive
    }

    /// SIGKILL (a stopped process dies too) and waits until it is gone (at most 5 s).
    public func kill() async {
        guard process != nil else { return }
        await ServerChildProcess.kill(pid)
        process = nil
    }

    /// Everything it logged so far.
    public nonisolated func logText() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// The JSON log lines, decoded.
    public nonisolated func logLines() -> [[String: Any]] {
        logText().split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// One GET on its port: status and body. Throws when nothing answers within the timeout (a
    /// stopped process does not answer).
    public nonisolated func get(_ path: String, timeoutSeconds: Int = 2) throws -> (status: Int, body: String) {
        try ServerChildProcess.get(port: port, path: path, timeoutSeconds: timeoutSeconds, from: "\(role) \(name)")
    }

    /// `/metrics`, parsed: every sample by its name and labels as written (`name{labels}`).
    public nonisolated func metrics() throws -> PrometheusSamples {
        try ServerChildProcess.metrics(port: port, from: "\(role) \(name)")
    }
}
