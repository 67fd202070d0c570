import Foundation
import TestSupport
import Testing

/// `LOG_FORMAT` and `LOG_LEVEL`, read the same way by every command: the built executable as a
/// child process. The gateway used to install text logging of its own and ignore `LOG_FORMAT`.
@Suite(
    .timeLimit(.minutes(1)), .enabled(if: AWSRealtimeExecutable.isBuilt, "build the aws-realtime executable first"),
    .tags(.integration))
struct LoggingConfigurationTests {
    private static let gatewayArguments = ["--bus", "in-process", "--allow-anonymous"]

    @Test func theGatewayLogsOneJSONObjectALineWithLogFormatJSON() async throws {
        let lines = try await Self.gatewayLogLines(environment: ["LOG_FORMAT": "json"])
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["label"] as? String == "aws-realtime.gateway", "\(line)")
            #expect(object?["level"] != nil && object?["message"] != nil, "\(line)")
        }
        #expect(lines.contains { $0.contains(#""message":"Gateway auth""#) }, "\(lines)")
    }

    @Test func theGatewayLogsTextWithLogFormatText() async throws {
        let lines = try await Self.gatewayLogLines(environment: ["LOG_FORMAT": "text"])
        #expect(lines.contains { $0.contains("info aws-realtime.gateway") && $0.contains("Gateway auth") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("{") }, "\(lines)")
    }

    /// Every logger of the process takes the level, not just the command's own.
    @Test func theGatewayHonoursLogLevel() async throws {
        let lines = try await Self.gatewayLogLines(environment: ["LOG_FORMAT": "json", "LOG_LEVEL": "WARN"])
        #expect(lines.contains { $0.contains(#""level":"warning""#) }, "\(lines)")
        #expect(!lines.contains { $0.contains(#""level":"info""#) || $0.contains(#""level":"debug""#) }, "\(lines)")
    }

    @Test(arguments: [
        (
            ["gateway"] + gatewayArguments + ["--port", "0"], ["LOG_FORMAT": "yaml"],
            "LOG_FORMAT 'yaml' is not a log format: use json or text"
        ),
        (
            ["gateway"] + gatewayArguments + ["--port", "0"], ["LOG_LEVEL": "verbose"],
            "LOG_LEVEL 'verbose' is not a log level: use trace, debug, info, notice, warning, error, critical"
        ),
        (["worker", "--check-config"], ["LOG_LEVEL": "loud"], "LOG_LEVEL 'loud' is not a log level"),
        (["standalone", "--port", "0"], ["LOG_FORMAT": "xml"], "LOG_FORMAT 'xml' is not a log format"),
    ])
    func aBadValueIsAUsageErrorNamingTheVariable(arguments: [String], environment: [String: String], message: String)
        async throws
    {
        let result = try await AWSRealtimeExecutable.run(
            arguments, environment: environment.merging(["HOME": "/nonexistent"]) { a, _ in a })
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
    }

    /// Starts the gateway with `environment`, waits for `/health` and returns its log's lines.
    private static func gatewayLogLines(environment: [String: String]) async throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("logging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gateway = try await AWSRealtimeServer.startGateway(
            name: "logging", arguments: gatewayArguments, environment: environment, logDirectory: folder)
        await gateway.kill()
        return gateway.logText().split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
