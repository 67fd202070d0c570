import Foundation

/// A program the tests run to its end: its exit status and standard output (standard error is dropped).
public struct ChildProcessRun: Sendable {
    public let status: Int32
    public let stdout: String

    /// Runs `executable` with `arguments` (and `environment` when given, else the test's own) to its end.
    /// Blocks the calling thread while it runs: for short programs only.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
        -> ChildProcessRun
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ChildProcessRun(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self))
    }
}
