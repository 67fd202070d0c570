import AWSCapture
import AWSCore
import AWSReplay
import ArgumentParser
import Foundation
import Logging

/// `aws-realtime record --out DIR -- <subcommand and its arguments>` runs the subcommand with
/// every AWS exchange written, redacted, as a capture in `DIR` (for example
/// `aws-realtime record --out caps -- call cloudwatch ListMetrics`, or `-- worker`).
///
/// `aws-realtime record --out DIR --upstream URL` is a loopback proxy instead, for recording the
/// exchanges of other clients (boto3, the AWS CLI) with an endpoint that accepts their signature
/// as is (moto, LocalStack).
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record AWS exchanges as captures (credentials redacted), for `aws-realtime replay`.",
        discussion: """
            With a subcommand after `--`, runs it with every AWS exchange recorded into DIR:
              aws-realtime record --out caps -- call cloudwatch ListMetrics
            With --upstream, listens on a loopback port (printed on stdout) and forwards every request to
            UPSTREAM, recording each exchange. The upstream must accept the client's signature as is
            (moto, LocalStack): real AWS checks the signed Host header, so record real AWS with a subcommand.
            """
    )

    @Option(help: "The capture folder to write (created if needed; numbering continues after existing files).")
    var out: String

    @Option(help: "Proxy mode: the endpoint to forward to, e.g. http://127.0.0.1:5000.")
    var upstream: String?

    @Option(help: "Proxy mode: port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(help: "Proxy mode: address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Proxy mode: most captures to write before failing requests.")
    var maxCaptures: Int = 10_000

    @Argument(parsing: .postTerminator, help: "The subcommand to run and record, after `--`.")
    var command: [String] = []

    func validate() throws {
        if let upstream {
            guard upstream.hasPrefix("http://") || upstream.hasPrefix("https://") else {
                throw ValidationError("--upstream must be an http:// or https:// URL")
            }
            guard command.isEmpty else { throw ValidationError("give either --upstream or a subcommand after --, not both") }
        } else {
            guard let first = command.first else {
                throw ValidationError(
                    "name the subcommand to record after --, e.g. record --out caps -- call sts GetCallerIdentity")
            }
            guard first != "record", first != "replay" else { throw ValidationError("'\(first)' cannot be recorded") }
        }
    }

    func run() async throws {
        if let upstream {
            try await runProxy(upstream: upstream)
        } else {
            try runSubcommand()
        }
    }

    /// Runs this executable again with the subcommand, telling it where to record; its
    /// standard streams are ours and its exit status becomes ours.
    private func runSubcommand() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment[TransportFactory.recordDirectoryVariable] = URL(fileURLWithPath: out).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = command
        process.environment = environment
        try process.run()
        let forward = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { kill(process.processIdentifier, signalNumber) }
            source.resume()
            return source
        }
        process.waitUntilExit()
        forward.forEach { $0.cancel() }
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }

    private func runProxy(upstream: String) async throws {
        try LoggingConfiguration.bootstrapFromEnvironment(ProcessInfo.processInfo.environment)
        let logger = Logger(label: "aws-realtime.record")
        var configuration = ReplayConfiguration()
        configuration.host = host
        configuration.port = port
        let recorder = try CaptureRecorder(folder: out, maximumCaptures: maxCaptures)
        let host = host
        try await withCurlTransport(logger: logger) { transport in
            let proxy = RecordingProxy(
                upstream: upstream,
                transport: RecordingTransport(wrapping: transport, recorder: recorder),
                logger: logger
            )
            let server = ReplayServer(handler: proxy, configuration: configuration, logger: logger)
            try await server.run { port in
                FileHandle.standardOutput.write(Data("http://\(host):\(port)\n".utf8))
            }
        }
    }
}
