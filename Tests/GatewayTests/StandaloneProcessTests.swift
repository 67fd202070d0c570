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
    .enabled(if: StandaloneProcess.isBuilt, "build the aws-realtime executable first (swift build)"))
struct StandaloneProcessTests {
    @Test func aFirstRunWithoutCredentialsServesTheDemoOnEveryStreamAndStopsCleanlyOnSIGTERM() async throws {
        let port = try FreePort.next()
        let closedPort = try FreePort.next()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("standalone-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        // Nothing of the test runner's environment but PATH: no AWS_* variable, an empty HOME (no
        // ~/.aws), instance metadata pointed at a closed loopback port (and disabled).
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(closedPort)",
            "LOG_FORMAT": "json", "LOG_LEVEL": "info",
        ]
        let started = Date()
        let server = try StandaloneProcess.start(["standalone", "--host", "127.0.0.1", "--port", "\(port)"], environment)
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

/// The built `aws-realtime` binary as a child process, its standard error (the log) in a file.
final class StandaloneProcess: @unchecked Sendable {
    // @unchecked: every stored property is set once in init and never mutated; Process's
    // isRunning, processIdentifier and terminate are safe from any thread.
    static var executable: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/aws-realtime").path
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

    static func start(_ arguments: [String], _ environment: [String: String]) throws -> StandaloneProcess {
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

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits at most `timeout` for the exit status.
    func terminate(timeout: Duration) async throws -> Int32 {
        process.terminate()  // SIGTERM
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
                throw HarnessError(message: "standalone did not exit within \(timeout) of SIGTERM")
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
