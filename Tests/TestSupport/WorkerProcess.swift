import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real `aws-realtime worker` child process for process-level tests: the debug binary built by
/// `swift build`, its standard error (JSON logs) in a file, its operations endpoints on a free
/// 127.0.0.1 port. Signals go to its pid (SIGKILL, SIGSTOP, SIGCONT); ``kill()`` ends it in every
/// state, stopped included, and is what every test calls on its way out.
public actor WorkerProcess {
    /// `.build/debug/aws-realtime` of this checkout, found from this file's path.
    public static var executable: String {
        TestRepository.debugExecutable
    }

    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    public nonisolated let name: String
    public nonisolated let operationsPort: Int
    public nonisolated let pid: Int32
    public nonisolated let logPath: String
    private var process: Process?

    private init(name: String, operationsPort: Int, process: Process, logPath: String) {
        self.name = name
        self.operationsPort = operationsPort
        self.pid = process.processIdentifier
        self.process = process
        self.logPath = logPath
    }

    /// Starts `aws-realtime worker --host 127.0.0.1 --port <free> --config <configPath>` with exactly
    /// `environment` (nothing inherited, so no real credentials or profile can leak in), its log in
    /// `logDirectory`, and waits until `/health` answers (at most `startupTimeout`).
    public static func start(
        name: String, configPath: String, environment: [String: String], logDirectory: URL,
        startupTimeout: Duration = .seconds(30)
    ) async throws -> WorkerProcess {
        let port = try FreePort.next()
        let logPath = logDirectory.appendingPathComponent("worker-\(name).log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw WorkerProcessError(message: "cannot create the log file \(logPath)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["worker", "--host", "127.0.0.1", "--port", String(port), "--config", configPath]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()
        let worker = WorkerProcess(name: name, operationsPort: port, process: process, logPath: logPath)
        let deadline = ContinuousClock.now.advanced(by: startupTimeout)
        while ContinuousClock.now < deadline {
            guard worker.isAlive else {
                throw WorkerProcessError(message: "worker \(name) exited at start: \(worker.logText().suffix(2_000))")
            }
            if let response = try? worker.get("/health", timeoutSeconds: 1), response.status == 200 { return worker }
            try await Task.sleep(for: .milliseconds(25))
        }
        await worker.kill()
        throw WorkerProcessError(message: "worker \(name) did not answer /health within \(startupTimeout)")
    }

    /// Whether the process still runs (a zombie counts as gone; a stopped process counts as alive).
    public nonisolated var isAlive: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

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
        _ = Foundation.kill(pid, SIGKILL)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while isAlive, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        process = nil
    }

    /// Everything the worker logged so far.
    public nonisolated func logText() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// The JSON log lines, decoded.
    public nonisolated func logLines() -> [[String: Any]] {
        logText().split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// One GET on the operations port: status and body. Throws when nothing answers within the
    /// timeout (a stopped process does not answer).
    public nonisolated func get(_ path: String, timeoutSeconds: Int = 2) throws -> (status: Int, body: String) {
        let response = try LoopbackHTTP.exchange(
            port: operationsPort,
            request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(operationsPort)\r\nConnection: close\r\n\r\n",
            timeoutSeconds: timeoutSeconds)
        guard let statusLine = response.split(separator: "\r\n", maxSplits: 1).first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw WorkerProcessError(message: "worker \(name) sent no HTTP status line for \(path)") }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// `/metrics`, parsed: every sample by its name and labels as written (`name{labels}`).
    public nonisolated func metrics() throws -> PrometheusSamples {
        let response = try get("/metrics")
        guard response.status == 200 else {
            throw WorkerProcessError(message: "worker \(name) answered /metrics with \(response.status)")
        }
        return PrometheusSamples(text: response.body)
    }
}

public struct WorkerProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
