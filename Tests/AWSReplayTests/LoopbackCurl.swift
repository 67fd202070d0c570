import Foundation

/// A real HTTP client for the replay server tests: `/usr/bin/curl` in a child process, awaited
/// without blocking a thread. (To be replaced by `CurlTransport` once it is on main.)
struct LoopbackCurl {
    struct Result {
        var exitCode: Int32
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String
        var stderr: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    var port: Int

    /// Sends one request; `maxTime` bounds the whole exchange.
    func send(
        _ method: String = "POST",
        path: String = "/",
        headers: [(String, String)] = [],
        body: String = "",
        maxTime: Int = 10
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bodyFile = directory.appendingPathComponent("body")
        let headerFile = directory.appendingPathComponent("headers")
        let outputFile = directory.appendingPathComponent("output")
        try Data(body.utf8).write(to: bodyFile)
        var arguments = [
            "-s", "-S", "--max-time", String(maxTime), "-X", method, "-D", headerFile.path, "-o", outputFile.path,
            "-H", "Expect:",
        ]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if !body.isEmpty { arguments += ["--data-binary", "@\(bodyFile.path)"] }
        arguments.append("http://127.0.0.1:\(port)\(path)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stderr = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        var status = 0
        var parsed: [(name: String, value: String)] = []
        for line in headerText.split(separator: "\r\n") {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                parsed = []
            } else if let colon = line.firstIndex(of: ":") {
                parsed.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        let output = (try? Data(contentsOf: outputFile)) ?? Data()
        return Result(
            exitCode: exitCode, status: status, headers: parsed, body: String(decoding: output, as: UTF8.self), stderr: stderr)
    }
}
