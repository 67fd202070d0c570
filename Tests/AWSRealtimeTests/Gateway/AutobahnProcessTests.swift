import Foundation
import TestSupport
import Testing

/// The Autobahn test suite's cases 1 to 7, 9 and 10 (`Tests/Autobahn/fuzzing_client.py`, a
/// Python 3 reproduction of its fuzzing client) against a real `aws-realtime gateway` process, at
/// `/ws` and at the Engine.IO WebSocket: every case passes, or fails only because the endpoint is
/// not an echo server, or on the gateway's message size or inbound rate limit (the driver exits
/// 1 on any other failure). About a minute for both.
@Suite(
    .serialized, .timeLimit(.minutes(5)),
    .enabled(if: StandaloneProcess.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct AutobahnProcessTests {
    static var driver: String {
        TestRepository.url("Tests/Autobahn/fuzzing_client.py").path
    }

    @Test(arguments: ["/ws", "/socket.io/?EIO=4&transport=websocket"])
    func everyCaseOfClasses1To7And9And10PassesOrFailsOnlyForEchoOrALimit(path: String) async throws {
        let (server, port) = try StandaloneProcess.startInProcessGateway()
        defer { server.forceKill() }
        #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(30)), "\(server.log())")

        let arguments =
            [Self.driver, "ws://127.0.0.1:\(port)\(path)", "--jobs", "16", "--slack", "5"]
            + (path == "/ws" ? [] : ["--engineio"])
        let (status, output) = try await Self.run(arguments)
        let summary = output.split(separator: "\n").suffix(13).joined(separator: "\n")
        print("Autobahn cases at \(path):\n\(summary)")
        let unexplained = output.split(separator: "\n").filter { $0.contains(" NO ") && $0.contains(" rfc") }
        #expect(status == 0, "cases failing the RFC:\n\(unexplained.joined(separator: "\n"))\n\(summary)")
        #expect(output.contains("301 cases"), "\(output.suffix(2000))")
        #expect(try await server.terminate(timeout: .seconds(30)) == 0, "\(server.log())")
    }

    /// Runs the driver with python3 (bounded: every case has its own timeouts), its output to a file.
    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("autobahn-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: .seconds(240))
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { process.terminate() }
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
