import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import SigV4
import TestSupport
import Testing

/// The `aws-realtime` executable as a child process: `record` in front of a replay server, then
/// `replay` of what it wrote, each reporting its URL on stdout.
@Suite(
    .timeLimit(.minutes(1)), .enabled(if: AWSRealtimeProcess.isBuilt, "build the aws-realtime executable first"),
    .tags(.integration))
struct CommandTests {
    @Test func recordThenReplayTheRecordedFolder() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("replay-command-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let captures = try CaptureFolder.load(Fixtures.capturesFolder + "/cloudwatch")
        let input = try JSONValue(parsing: #"{"Namespace":"AWS/EC2"}"#)

        let recorded = try await Fixtures.withReplayServer(captures: captures) { upstream in
            let recorder = try AWSRealtimeProcess.start([
                "record", "--out", folder, "--upstream", upstream.endpoint, "--port", "0",
            ])
            do {
                let url = try await recorder.waitForURL()
                let output = try await Self.client(endpoint: url, transport: upstream.transport).call(
                    .cloudWatch, operation: "ListMetrics", input: input)
                await recorder.stop()
                return output
            } catch {
                await recorder.stop()
                throw error
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files == ["0001-monitoring-ListMetrics.json"])
        let text = try String(contentsOfFile: folder + "/" + files[0], encoding: .utf8)
        #expect(text.contains("Signature=REDACTED"))
        #expect(!text.contains(ReplayEndToEndTests.secretKey))

        let replayer = try AWSRealtimeProcess.start(["replay", folder, "--port", "0", "--require-signature"])
        do {
            let url = try await replayer.waitForURL()
            let replayed = try await withCurlTransport(logger: Fixtures.logger) { transport in
                try await Self.client(endpoint: url, transport: transport).call(
                    .cloudWatch, operation: "ListMetrics", input: input)
            }
            #expect(replayed == recorded)
            await replayer.stop()
        } catch {
            await replayer.stop()
            throw error
        }
    }

    /// `record --out DIR -- call ...`: the subcommand runs in a child process whose transport records
    /// every exchange; its output and exit status are the subcommand's.
    @Test func recordASubcommand() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("record-subcommand-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let captures = try CaptureFolder.load(Fixtures.capturesFolder + "/cloudwatch")
        let sessionToken = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"
        let (status, output) = try await Fixtures.withReplayServer(captures: captures) { upstream in
            let arguments = [
                "record", "--out", folder, "--", "call", "cloudwatch", "ListMetrics", "--input", #"{"Namespace":"AWS/EC2"}"#,
            ]
            let environment = [
                "AWS_ENDPOINT_URL": upstream.endpoint, "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY": ReplayEndToEndTests.secretKey, "AWS_SESSION_TOKEN": sessionToken, "HOME": folder,
                "AWS_EC2_METADATA_DISABLED": "true",
            ]
            let run = try ChildProcessRun.run(AWSRealtimeProcess.executable, arguments, environment: environment)
            return (run.status, run.stdout)
        }
        #expect(status == 0)
        #expect(output.contains("\"Metrics\""))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        #expect(files.count == 1)
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(text.contains("ListMetrics"))
            #expect(!text.contains(ReplayEndToEndTests.secretKey))
            #expect(!text.contains(sessionToken))
            #expect(!text.contains("AKIDEXAMPLE"))
        }
    }

    static func client(endpoint: String, transport: CurlTransport) -> AWSClient {
        AWSClient(
            region: "eu-west-1",
            transport: transport,
            credentialProvider: ReplayEndToEndTests.credentials,
            endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": endpoint]),
            retry: AWSRetryConfiguration(maxAttempts: 1),
            logger: Fixtures.logger
        )
    }
}

/// A running `aws-realtime` child process whose stdout goes to a file.
struct AWSRealtimeProcess {
    static var executable: String {
        TestRepository.debugExecutable
    }

    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let process: Process
    let stdoutPath: String
    let exits: AsyncStream<Int32>

    static func start(_ arguments: [String]) throws -> AWSRealtimeProcess {
        let stdoutPath = FileManager.default.temporaryDirectory.appendingPathComponent("aws-realtime-\(UUID().uuidString).out")
            .path
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil) else {
            throw CaptureError(.writeFailed, "cannot create the stdout file", file: stdoutPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = FileHandle.nullDevice
        let (exits, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        return AWSRealtimeProcess(process: process, stdoutPath: stdoutPath, exits: exits)
    }

    /// The first stdout line, polled every 50 ms for at most 10 s.
    func waitForURL() async throws -> String {
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CaptureError(.unreadableFolder, "aws-realtime printed no URL", file: stdoutPath)
    }

    /// SIGTERM, then waits for the exit.
    func stop() async {
        if process.isRunning { process.terminate() }
        for await _ in exits { break }
        try? FileManager.default.removeItem(atPath: stdoutPath)
    }
}
