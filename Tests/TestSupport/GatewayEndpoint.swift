import Foundation

/// A gateway under test reached over HTTP on 127.0.0.1: the requests and waits every suite uses.
public protocol GatewayEndpoint: Sendable {
    var port: Int { get }
}

extension GatewayEndpoint {
    /// Waits (at most 10 s, polling every 20 ms) until `condition` holds (TestSupport's `waitUntil`).
    public func eventually(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        try await waitUntil(what, timeout: .seconds(10), every: .milliseconds(20), condition)
    }

    /// GET over plain HTTP with curl: (status, body).
    public func get(_ path: String, headers: [String] = []) async throws -> (status: Int, body: String) {
        try await request("GET", path, headers: headers)
    }

    /// POST `body` over plain HTTP with curl: (status, body).
    public func post(_ path: String, body: String, headers: [String] = []) async throws -> (status: Int, body: String) {
        try await request("POST", path, headers: headers + ["Content-Type: text/plain;charset=UTF-8"], body: body)
    }

    /// One HTTP request with curl (bounded at 10 s): (status, body).
    public func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil) async throws -> (
        status: Int, body: String
    ) {
        var arguments = ["-s", "--max-time", "10", "-X", method, "-o", "-", "-w", "\n%{http_code}"]
        if let body { arguments += ["--data-binary", body] }
        for header in headers { arguments += ["-H", header] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let output = try await runProcess("/usr/bin/curl", arguments)
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    public func metric(_ name: String) async throws -> Int {
        let (_, body) = try await get("/metrics")
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

/// Runs a program to its end (bounded by the program's own time limits) and returns its stdout.
public func runProcess(_ path: String, _ arguments: [String]) async throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = FileHandle.nullDevice
    try process.run()
    while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    try handle.close()
    defer { try? FileManager.default.removeItem(at: output) }
    return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
}
