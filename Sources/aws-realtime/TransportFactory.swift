import AWSCapture
import AWSCore
import Logging

/// The transport every subcommand sends AWS requests through: libcurl, wrapped in a recorder
/// when `aws-realtime record` started this process (it sets `AWS_REALTIME_RECORD_DIR`).
enum TransportFactory {
    static let recordDirectoryVariable = "AWS_REALTIME_RECORD_DIR"

    static func withTransport<Result>(
        environment: [String: String],
        configuration: CurlTransportConfiguration = CurlTransportConfiguration(),
        logger: Logger,
        _ body: (any Transport) async throws -> Result
    ) async throws -> Result {
        try await withCurlTransport(configuration: configuration, logger: logger) { curl in
            guard let folder = environment[recordDirectoryVariable], !folder.isEmpty else {
                return try await body(curl)
            }
            let recorder = try CaptureRecorder(folder: folder)
            logger.info("Recording every AWS exchange, redacted", metadata: ["record.folder": "\(folder)"])
            return try await body(RecordingTransport(wrapping: curl, recorder: recorder))
        }
    }
}
