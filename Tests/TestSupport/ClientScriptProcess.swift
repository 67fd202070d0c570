import Foundation

/// A client script of `Tests/GatewayTests/Scripts/` (`ws_client.py`, `sio_client.py`) run with
/// `python3` from PATH (PyPI `websockets`, `python-socketio`), its JSON lines in a file read as
/// they come (its standard error beside it, `.stderr`). ``kill()`` ends it; every test calls it
/// on its way out.
public actor ClientScriptProcess {
    /// `Tests/GatewayTests/Scripts` of this checkout, found from this file's path.
    public static var scriptsDirectory: URL {
        TestRepository.url("Tests/GatewayTests/Scripts")
    }

    public nonisolated let name: String
    public nonisolated let pid: Int32
    public nonisolated let outputPath: String
    private var process: Process?

    private init(name: String, process: Process, outputPath: String) {
        self.name = name
        self.pid = process.processIdentifier
        self.process = process
        self.outputPath = outputPath
    }

    /// Starts `python3 <script>.py arguments...`, its standard output in `directory`.
    public static func start(name: String, script: String, arguments: [String], directory: URL) throws -> ClientScriptProcess {
        let path = scriptsDirectory.appendingPathComponent("\(script).py").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ChildProcessError(message: "missing client script \(path)")
        }
        let outputPath = directory.appendingPathComponent("client-\(name).jsonl").path
        let output = try emptyFileForWriting(atPath: outputPath)
        defer { try? output.close() }
        // Standard error apart: a warning written between two lines cannot break one.
        let errorPath = directory.appendingPathComponent("client-\(name).stderr").path
        let errors = try emptyFileForWriting(atPath: errorPath)
        defer { try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return ClientScriptProcess(name: name, process: process, outputPath: outputPath)
    }

    public nonisolated var isAlive: Bool { ChildProcessState.isAlive(pid) }

    /// Everything the script printed so far.
    public nonisolated func outputText() -> String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// The JSON lines printed so far (a line being written is left out).
    public nonisolated func lines() -> [[String: Any]] {
        outputText().split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// SIGKILL and waits until it is gone (at most 5 s).
    public func kill() async {
        guard process != nil else { return }
        await ServerChildProcess.kill(pid)
        process = nil
    }
}
