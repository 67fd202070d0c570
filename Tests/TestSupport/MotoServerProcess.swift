import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The PyPI `moto` AWS emulator as a child process on 127.0.0.1: `python3 -m moto.server` on a
/// free port. Use ``withMotoServer(startupTimeout:_:)``: the server lives for the scope of the
/// closure and is stopped (SIGTERM, then SIGKILL) when it returns.
public struct MotoServerProcess: Sendable {
    public let port: Int
    /// Where the server's own output goes (shown when it fails to start).
    public let logPath: String

    /// `http://127.0.0.1:<port>`.
    public var endpointURL: String { "http://127.0.0.1:\(port)" }

    /// Sends one plain HTTP request (for moto's own `/moto-api/` endpoints) and returns the
    /// status and body.
    public func request(_ method: String, _ path: String, json body: String = "") throws -> (status: Int, body: String) {
        let response = try LoopbackHTTP.exchange(
            port: port,
            request: "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)",
            timeoutSeconds: 10)
        guard let statusLine = response.split(separator: "\r\n", maxSplits: 1).first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw MotoServerError(message: "moto sent no HTTP status line") }
        let bodyStart = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, bodyStart)
    }
}

public struct MotoServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Starts moto, waits until it answers HTTP, runs `body`, stops moto.
public func withMotoServer<Result: Sendable>(
    startupTimeout: Duration = .seconds(30),
    _ body: (MotoServerProcess) async throws -> Result
) async throws -> Result {
    let port = try FreePort.next()
    let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port)-\(getpid()).log").path
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    defer { try? log.close() }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let server = MotoServerProcess(port: port, logPath: logPath)
    do {
        try await waitUntilAnswering(server, process: process, timeout: startupTimeout)
        let result = try await body(server)
        await stop(process)
        return result
    } catch {
        await stop(process)
        throw error
    }
}

private func waitUntilAnswering(_ server: MotoServerProcess, process: Process, timeout: Duration) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        guard process.isRunning else {
            let output = (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? ""
            throw MotoServerError(
                message: "moto exited during start-up (is `moto[server]` installed for python3?):\n\(output.suffix(2_000))")
        }
        if let response = try? LoopbackHTTP.exchange(
            port: server.port, request: "GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            timeoutSeconds: 2),
            response.hasPrefix("HTTP/1.")
        {
            return
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw MotoServerError(message: "moto did not answer on 127.0.0.1:\(server.port) within \(timeout)")
}

private func stop(_ process: Process) async {
    guard process.isRunning else { return }
    process.terminate()
    for _ in 0..<100 where process.isRunning {
        try? await Task.sleep(for: .milliseconds(50))
    }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
}

/// One blocking HTTP/1.1 exchange on 127.0.0.1 with `Connection: close`: what start-up checks
/// and moto's control endpoints need, without an HTTP client library.
public enum LoopbackHTTP {
    public static func exchange(port: Int, request: String, timeoutSeconds: Int) throws -> String {
        let socket: LoopbackSocket
        do {
            socket = try LoopbackSocket(port: port, timeout: .seconds(timeoutSeconds))
            try socket.send(Array(request.utf8))
        } catch {
            throw MotoServerError(message: error.message)
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        // Bounded: at most 16 MiB of answer.
        while response.count < 16 << 20 {
            let count = socket.receive(into: &buffer)
            if count == 0 { break }
            guard count > 0 else { throw MotoServerError(message: "recv failed: errno \(errno)") }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }
}
