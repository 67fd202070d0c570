import Foundation

/// A test harness's failure, saying what did not happen.
public struct HarnessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}

/// A Python client script running beside the test (`Tests/GatewayTests/Scripts`, PyPI `websockets`,
/// `python-socketio`); its JSON lines are read as they come, and `release()` writes `go` to its
/// standard input for the scripts that wait for it.
public final class ScriptedClient: @unchecked Sendable {
    // @unchecked: `process` and `output` are set once in init and only read after; Process is
    // thread-safe for isRunning/terminate.
    public let process = Process()
    public let output: URL
    public let input = Pipe()

    /// Starts `python3 <script>.py arguments...` from `Tests/GatewayTests/Scripts`.
    public init(_ script: String, _ arguments: [String]) throws {
        let url = ClientScriptProcess.scriptsDirectory.appendingPathComponent("\(script).py")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw HarnessError(message: "missing script \(url.path)")
        }
        output = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString).jsonl")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", url.path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: output)
    }

    public func lines() -> [[String: Any]] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The first line for which `predicate` holds, waiting at most `timeout`.
    public func waitFor(_ what: String, timeout: Duration = .seconds(15), _ predicate: ([String: Any]) -> Bool) async throws
        -> [String:
        Any]
    {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let line = lines().first(where: predicate) { return line }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(message: "client never printed \(what); got \(lines())")
    }

    /// The received texts, in order.
    public func received() -> [String] { lines().compactMap { $0["recv"] as? String } }

    public func waitForExit(timeout: Duration = .seconds(40)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw HarnessError(message: "client did not finish; got \(lines())")
        }
    }

    public func release() { input.fileHandleForWriting.write(Data("go\n".utf8)) }
}
