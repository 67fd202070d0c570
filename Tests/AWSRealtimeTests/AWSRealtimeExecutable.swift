import Foundation
import TestSupport

/// The debug `aws-realtime` executable that `swift build --build-tests` leaves in `.build/debug`.
enum AWSRealtimeExecutable {
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status), stdout: \(stdout), stderr: \(stderr)" }
    }

    static var path: String {
        TestRepository.debugExecutable
    }

    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs the executable to its end (the test's time limit bounds it; a cancelled run kills it)
    /// with only `environment` (no proxy variables from the test's environment).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("healthcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stdout = folder.appendingPathComponent("stdout")
        let stderr = folder.appendingPathComponent("stderr")
        try Data().write(to: stdout)
        try Data().write(to: stderr)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        let (exits, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        var status: Int32 = -1
        // A test cancelled at its time limit (a command that did not exit) must not leave the
        // process behind: it is killed, and the run reports the signal's status.
        await withTaskCancellationHandler {
            for await code in exits { status = code }
        } onCancel: {
            kill(pid, SIGKILL)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            status = process.terminationStatus
        }
        return Result(
            status: status, stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }
}
