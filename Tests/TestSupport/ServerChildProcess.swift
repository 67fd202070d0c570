import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the tests' `aws-realtime` server child processes (``AWSRealtimeServer``)
/// share: the start on a free 127.0.0.1 port with exactly the given environment and standard
/// error in a log file, the wait for `/health`, one GET, `/metrics`, and the kill.
enum ServerChildProcess {
    struct Launched {
        let process: Process
        let port: Int
        let logPath: String
    }

    /// Runs `aws-realtime <role> --host 127.0.0.1 --port <free> arguments...` with exactly
    /// `environment` (nothing inherited), its log in `logDirectory/<role>-<name>.log`.
    static func launch(
        role: String, name: String, arguments: [String], environment: [String: String], logDirectory: URL
    ) throws -> Launched {
        let port = try FreePort.next()
        let logPath = logDirectory.appendingPathComponent("\(role)-\(name).log").path
        let log = try emptyFileForWriting(atPath: logPath)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: AWSRealtimeServer.executable)
        process.arguments = [role, "--host", "127.0.0.1", "--port", String(port)] + arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()
        return Launched(process: process, port: port, logPath: logPath)
    }

    /// Waits until `/health` answers 200 (at most `timeout`); throws with the log's end when the
    /// process exits first, and kills it when the time runs out.
    static func waitForHealth(_ launched: Launched, role: String, name: String, timeout: Duration) async throws {
        let pid = launched.process.processIdentifier
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            guard ChildProcessState.isAlive(pid) else {
                let log = (try? String(contentsOfFile: launched.logPath, encoding: .utf8)) ?? ""
                throw ChildProcessError(message: "\(role) \(name) exited at start: \(log.suffix(2_000))")
            }
            if let response = try? get(port: launched.port, path: "/health", timeoutSeconds: 1, from: "\(role) \(name)"),
                response.status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        await kill(pid)
        throw ChildProcessError(message: "\(role) \(name) did not answer /health within \(timeout)")
    }

    /// One GET on `port`: status and body. Throws when nothing answers within the timeout (a
    /// stopped process does not answer).
    static func get(port: Int, path: String, timeoutSeconds: Int, from server: String) throws -> (status: Int, body: String) {
        let response = try LoopbackHTTP.exchange(
            port: port, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n",
            timeoutSeconds: timeoutSeconds)
        guard let statusLine = response.split(separator: "\r\n", maxSplits: 1).first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw ChildProcessError(message: "\(server) sent no HTTP status line for \(path)") }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// `/metrics` on `port`, parsed: every sample by its name and labels as written (`name{labels}`).
    static func metrics(port: Int, from server: String) throws -> PrometheusSamples {
        let response = try get(port: port, path: "/metrics", timeoutSeconds: 2, from: server)
        guard response.status == 200 else {
            throw ChildProcessError(message: "\(server) answered /metrics with \(response.status)")
        }
        return PrometheusSamples(text: response.body)
    }

    /// SIGKILL (a stopped process dies too) and waits until it is gone (at most 5 s).
    static func kill(_ pid: Int32) async {
        _ = Foundation.kill(pid, SIGKILL)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while ChildProcessState.isAlive(pid), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
    }
}

/// Whether a child process runs, from `/proc/<pid>/stat` (a zombie counts as gone, a stopped
/// process as running).
enum ChildProcessState {
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
