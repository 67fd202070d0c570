import Foundation
import Payloads
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `aws-realtime standalone`, the built binary, with no AWS credentials anywhere: it says so in
/// one line, replays the bundled demo through its own loopback endpoint, and a WebSocket client
/// (PyPI `websockets`) on /ws gets envelopes on all six streams, then sees values move. SIGTERM
/// ends it cleanly with status 0. Everything on 127.0.0.1; every wait bounded.
@Suite(
    .serialized, .timeLimit(.minutes(2)),
    .enabled(if: StandaloneProcess.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct StandaloneProcessTests {
    @Test func aFirstRunWithoutCredentialsServesTheDemoOnEveryStreamAndStopsCleanlyOnSIGTERM() async throws {
        let port = try FreePort.next()
        let closedPort = try FreePort.next()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("standalone-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        let environment = Self.environment(home: home.path, closedPort: closedPort)
        // The binary alone, copied away from .build: the demo captures must be inside it (the
        // release binary is copied alone into the Docker image).
        let copy = home.appendingPathComponent("aws-realtime").path
        try FileManager.default.copyItem(atPath: StandaloneProcess.executable, toPath: copy)
        let started = Date()
        let server = try StandaloneProcess.start(
            ["standalone", "--host", "127.0.0.1", "--port", "\(port)"], environment, executable: copy)
        defer { server.forceKill() }

        let streams = StreamName.allCases.map(\.rawValue)
        let watcher = try ScriptedClient("standalone_watch", ["ws://127.0.0.1:\(port)/ws", "60"] + streams)
        let done: [String: Any]
        do {
            done = try await watcher.waitFor("done", timeout: .seconds(75)) { $0["done"] != nil || $0["error"] != nil }
        } catch {
            Issue.record("\(error)\nserver log:\n\(server.log())")
            throw error
        }
        #expect(done["done"] as? Bool == true, "watcher: \(done)\nserver log:\n\(server.log())")
        let first = done["first"] as? [String: Double] ?? [:]
        #expect(Set(first.keys) == Set(streams))
        #expect(done["changed"] is String)
        let seconds = first.sorted { $0.key < $1.key }.map {
            "\($0.key) \(String(format: "%.1f", $0.value - started.timeIntervalSince1970)) s"
        }
        print(
            "standalone demo: first envelope after start: \(seconds.joined(separator: ", ")); changed: \(done["changed"] ?? "-")")

        let status = try await server.terminate(timeout: .seconds(30))
        #expect(status == 0, "exit status \(status)\nserver log:\n\(server.log())")
        let log = server.log()
        let notices = log.split(separator: "\n").filter { $0.contains("No AWS credentials found") }
        #expect(notices.count == 1, "\(log)")
        #expect(notices.first?.contains("replaying the bundled demo captures") == true)
        #expect(log.contains("Standalone stopped"))
        #expect(!log.contains(#""level":"error""#), "\(log)")
    }
}

extension StandaloneProcessTests {
    /// The first-run experience end to end: the live page of `aws-realtime standalone` on the
    /// bundled demo, in headless Chromium, shows every stream live; the screenshot is kept.
    @Test(.enabled(if: Chromium.path != nil, Chromium.missing))
    func theLivePageOfAFirstRunShowsEveryStreamLive() async throws {
        let port = try FreePort.next()
        let closedPort = try FreePort.next()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("standalone-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let server = try StandaloneProcess.start(
            ["standalone", "--host", "127.0.0.1", "--port", "\(port)"], Self.environment(home: home.path, closedPort: closedPort))
        defer { server.forceKill() }
        #expect(try await Self.health(port: port, timeout: .seconds(30)), "server log:\n\(server.log())")

        let screenshot = TestRepository.artifacts.appendingPathComponent("live-page-standalone.png")
        let browser = try Chromium.drive(url: "http://127.0.0.1:\(port)/", "expect:live", "screenshot:\(screenshot.path)")
        do {
            _ = try await Chromium.result(of: browser)
        } catch {
            Issue.record("server log:\n\(server.log())")
            throw error
        }
        #expect(FileManager.default.fileExists(atPath: screenshot.path))
        #expect(try await server.terminate(timeout: .seconds(30)) == 0)
    }

    /// Nothing of the test runner's environment but PATH: no AWS_* variable, an empty HOME (no
    /// ~/.aws), instance metadata pointed at a closed loopback port (and disabled).
    static func environment(home: String, closedPort: Int) -> [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(closedPort)",
            "LOG_FORMAT": "json", "LOG_LEVEL": "info",
        ]
    }

    /// Whether `GET /health` on 127.0.0.1:`port` answers 200 within `timeout` (polled with
    /// Python's urllib, 2 s a try).
    static func health(port: Int, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c", "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)",
                "http://127.0.0.1:\(port)/health",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            if process.terminationStatus == 0 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Runs `redis-cli` against the test server and returns its output.
    static func redisCLI(port: Int, _ arguments: [String]) throws -> String {
        let run = try ChildProcessRun.run("/usr/bin/env", ["redis-cli", "-h", "127.0.0.1", "-p", "\(port)"] + arguments)
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Standalone runs the worker: its `/metrics` has the worker's series (polls, AWS requests by API
    /// and outcome, stream states), its `/ready` follows the worker's readiness, and `rateBudgets`
    /// in its file bound the AWS calls as in `worker` (it ignored them: 29 GetFindings in 30 s).
    @Test func standaloneExposesTheWorkersMetricsAndHonoursRateBudgets() async throws {
        let port = try FreePort.next()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("standalone-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let config = home.appendingPathComponent("worker.yaml").path
        try "rateBudgets: {GetFindings: 0.1}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let environment = Self.environment(home: home.path, closedPort: try FreePort.next())
        let server = try StandaloneProcess.start(
            ["standalone", "--host", "127.0.0.1", "--port", "\(port)", "--config", config], environment)
        defer { server.forceKill() }
        #expect(try await Self.health(port: port, timeout: .seconds(30)), "\(server.log())")
        func get(_ path: String) throws -> (status: Int, body: String) {
            let response = try LoopbackHTTP.exchange(
                port: port, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n",
                timeoutSeconds: 2)
            let status = response.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
            return (status, response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? "")
        }
        // The demo polls Security Hub every 10 s: for 15 s the budget of 0.1 call/s lets at most 3
        // GetFindings requests through (a burst of 1, then one every 10 s).
        try await Task.sleep(for: .seconds(15))
        let metrics = PrometheusSamples(text: try get("/metrics").body)
        #expect(metrics[#"aws_realtime_worker_aws_rate_budget_calls_per_second{api="GetFindings"}"#] == 0.1)
        let findings = metrics[#"aws_realtime_worker_aws_requests_total{api="GetFindings",outcome="success"}"#] ?? 0
        #expect(findings >= 1 && findings <= 3, "GetFindings requests: \(findings)")
        #expect(metrics["aws_realtime_worker_leader"] == 1)
        #expect((metrics[#"aws_realtime_worker_polls_total{stream="aws-logs"}"#] ?? 0) >= 1)
        #expect(metrics[#"aws_realtime_worker_stream_state{stream="aws-logs",state="live"}"#] == 1)
        // Gateway series are still there.
        #expect(metrics[#"gateway_connections{protocol="websocket"}"#] == 0)
        let ready = try get("/ready")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(try await server.terminate(timeout: .seconds(30)) == 0)
    }

    @Test func withRedisURLTheStreamsGoThroughRedis() async throws {
        try await RedisServerProcess.withServer { redis in
            let port = try FreePort.next()
            var environment = Self.environment(home: "/nonexistent-home-for-tests", closedPort: try FreePort.next())
            environment["REDIS_URL"] = "redis://127.0.0.1:\(redis.port)"
            environment["REDIS_KEY_PREFIX"] = "standalone-test:"
            let server = try StandaloneProcess.start(["standalone", "--host", "127.0.0.1", "--port", "\(port)"], environment)
            defer { server.forceKill() }
            let streams = StreamName.allCases.map(\.rawValue)
            let watcher = try ScriptedClient("standalone_watch", ["ws://127.0.0.1:\(port)/ws", "60"] + streams)
            let done = try await watcher.waitFor("done", timeout: .seconds(75)) { $0["done"] != nil || $0["error"] != nil }
            #expect(done["done"] as? Bool == true, "watcher: \(done)\nserver log:\n\(server.log())")
            for stream in streams {
                let length = try Self.redisCLI(port: redis.port, ["XLEN", "standalone-test:log:\(stream)"])
                #expect((Int(length) ?? 0) > 0, "\(stream): XLEN \(length)")
            }
            #expect(try Self.redisCLI(port: redis.port, ["GET", "standalone-test:epoch"]) == "1")
            let status = try await server.terminate(timeout: .seconds(30))
            #expect(status == 0, "exit status \(status)\nserver log:\n\(server.log())")
            // The lease was released on the way out, so another worker could take over at once.
            #expect(try Self.redisCLI(port: redis.port, ["EXISTS", "standalone-test:leader"]) == "0")
            #expect(server.log().contains("standalone.bus\":\"redis"))
        }
    }

    @Test func realDataWithoutAKeyStaysOnLoopbackOrIsRefusedAndABrokenCredentialSourceIsNotTheDemo() async throws {
        var environment = Self.environment(home: "/nonexistent-home-for-tests", closedPort: try FreePort.next())
        environment["AWS_REGION"] = "eu-west-1"
        environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
        environment["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(try FreePort.next())"  // nothing is called; closed if it were
        let exposed = try StandaloneProcess.start(["--host", "0.0.0.0", "--port", "\(try FreePort.next())"], environment)
        defer { exposed.forceKill() }
        #expect(try await exposed.exit(timeout: .seconds(30)) != 0)
        #expect(exposed.log().contains("GATEWAY_JWT_SECRET"), "\(exposed.log())")
        #expect(exposed.log().contains("--allow-anonymous"))
        #expect(!exposed.log().contains("No AWS credentials found"))
        #expect(!exposed.log().contains("wJalrXUtnFEMI"))

        // Without --host, real data and no key listen on 127.0.0.1 only: the README's first command
        // still works with credentials, and nothing is exposed.
        let port = try FreePort.next()
        let local = try StandaloneProcess.start(["--port", "\(port)"], environment)
        defer { local.forceKill() }
        #expect(try await Self.health(port: port, timeout: .seconds(30)))
        #expect(local.log().contains("Listening on 127.0.0.1 only"), "\(local.log())")
        #expect(local.log().contains(#""gateway.address":"127.0.0.1:\#(port)""#), "\(local.log())")
        #expect(try await local.terminate(timeout: .seconds(30)) == 0, "\(local.log())")

        environment["AWS_SECRET_ACCESS_KEY"] = nil  // a key id without its secret: configured, and broken
        let broken = try StandaloneProcess.start(["--host", "127.0.0.1", "--port", "\(try FreePort.next())"], environment)
        defer { broken.forceKill() }
        #expect(try await broken.exit(timeout: .seconds(30)) != 0)
        #expect(broken.log().contains("AWS_SECRET_ACCESS_KEY"), "\(broken.log())")
        #expect(!broken.log().contains("No AWS credentials found"))
    }
}

/// The built `aws-realtime` binary as a child process, its standard error (the log) in a file.
final class StandaloneProcess: @unchecked Sendable {
    // @unchecked: every stored property is set once in init and never mutated; Process's
    // isRunning, processIdentifier and terminate are safe from any thread.
    static var executable: String {
        TestRepository.debugExecutable
    }

    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let process: Process
    let logPath: String
    private let exits: AsyncStream<Int32>

    private init(process: Process, logPath: String, exits: AsyncStream<Int32>) {
        self.process = process
        self.logPath = logPath
        self.exits = exits
    }

    static func start(
        _ arguments: [String], _ environment: [String: String], executable: String = StandaloneProcess.executable
    ) throws -> StandaloneProcess {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("standalone-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let (exits, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        return StandaloneProcess(process: process, logPath: logPath, exits: exits)
    }

    /// `aws-realtime gateway --allow-anonymous --bus in-process` on a free 127.0.0.1 port, with no
    /// home, AWS or Redis of its own (``StandaloneProcessTests/environment(home:closedPort:)``).
    static func startInProcessGateway() throws -> (server: StandaloneProcess, port: Int) {
        let port = try FreePort.next()
        let environment = StandaloneProcessTests.environment(home: "/nonexistent-home-for-tests", closedPort: try FreePort.next())
        let server = try start(
            ["gateway", "--allow-anonymous", "--bus", "in-process", "--host", "127.0.0.1", "--port", "\(port)"], environment)
        return (server, port)
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits at most `timeout` for the exit status.
    func terminate(timeout: Duration) async throws -> Int32 {
        process.terminate()  // SIGTERM
        return try await exit(timeout: timeout)
    }

    /// Waits at most `timeout` for the exit status.
    func exit(timeout: Duration) async throws -> Int32 {
        let exits = self.exits
        return try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in exits { return status }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let status = try await group.next() ?? nil else {
                throw HarnessError(message: "standalone did not exit within \(timeout)")
            }
            return status
        }
    }

    /// SIGKILL, for a test that failed before its clean stop.
    func forceKill() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
