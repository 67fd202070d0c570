import AWSCore
import AWSReplay
import ArgumentParser
import Foundation
import Logging

/// `aws-realtime record --out DIR --upstream URL`: a loopback proxy that forwards every request to
/// `URL` over libcurl and writes each exchange, redacted, as a capture in `DIR`.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record captures: forward requests to an upstream endpoint and write each exchange, redacted.",
        discussion: """
            Point a client at the printed URL (AWS_ENDPOINT_URL) and its exchanges with UPSTREAM are written to
            DIR as capture files (credentials redacted), ready for `aws-realtime replay DIR`. The upstream must
            accept the client's signature as is (moto, LocalStack): real AWS checks the signed Host header.
            """
    )

    @Option(help: "The capture folder to write (created if needed; numbering continues after existing files).")
    var out: String

    @Option(help: "The endpoint to forward to, e.g. http://127.0.0.1:5000.")
    var upstream: String

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Most captures to write before failing requests.")
    var maxCaptures: Int = 10_000

    func validate() throws {
        guard upstream.hasPrefix("http://") || upstream.hasPrefix("https://") else {
            throw ValidationError("--upstream must be an http:// or https:// URL")
        }
    }

    func run() async throws {
        let logger = Logger(label: "aws-realtime.record")
        var configuration = ReplayConfiguration()
        configuration.host = host
        configuration.port = port
        let recorder = try CaptureRecorder(folder: out, maximumCaptures: maxCaptures)
        let upstream = upstream
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
