import AWSCapture
import AWSCore
import AWSReplay
import AWSServices
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing
import Worker

/// Shared by the collector tests: captures, the replay server with a real libcurl client, a
/// logger that keeps what it is told, and the payload checks.
enum IncrementalFixtures {
    /// `Tests/Captures`.
    static var capturesFolder: String { TestRepository.capturesFolder }

    static func captures(_ folder: String) throws -> [Capture] {
        try CaptureFolder.load(capturesFolder + "/" + folder)
    }

    /// Static test credentials, through the environment provider (WorkerTests does not depend
    /// on SigV4, where `AWSCredentials` lives).
    static let credentials = EnvironmentCredentialProvider(environment: [
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ])

    static var logger: Logger {
        var logger = Logger(label: "aws-realtime.tests.collectors")
        logger.logLevel = .warning
        return logger
    }

    /// An `AWSClient` over libcurl to `endpoint` (`AWS_ENDPOINT_URL`), static test credentials,
    /// no retries (an error reaches the collector at once).
    @discardableResult
    static func withClient<T: Sendable>(
        endpoint: String, _ body: (AWSClient) async throws -> T
    ) async throws -> T {
        try await withCurlTransport(logger: logger) { transport in
            let client = AWSClient(
                region: "eu-west-1", transport: transport, credentialProvider: credentials,
                endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": endpoint]),
                retry: AWSRetryConfiguration(maxAttempts: 1, backoffUnit: .milliseconds(5)), logger: logger)
            return try await body(client)
        }
    }

    /// The replay server in-process on 127.0.0.1:0 serving `captures` (exactly the recorded
    /// calls: one more is a 404), and a client pointed at it.
    @discardableResult
    static func withReplay<T: Sendable>(
        _ captures: [Capture], faults: ReplayFaultSchedule = .none, _ body: @Sendable (AWSClient) async throws -> T
    ) async throws -> T {
        var configuration = ReplayConfiguration()
        configuration.limits.idleTimeout = .seconds(5)
        configuration.exhaustion = .notFound
        configuration.faults = faults
        let server = ReplayServer(captures: captures, configuration: configuration, logger: logger)
        return try await server.withServer { port in
            try await withClient(endpoint: "http://127.0.0.1:\(port)", body)
        }
    }

    /// 2026-11-27T02:13:00Z, the captures' clock.
    static let captureTime = Date(timeIntervalSince1970: 1_795_745_580)

    /// Every payload valid against its stream's JSON Schema.
    static func expectValid(_ batches: [CollectedBatch], schema: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        guard !batches.isEmpty else { return }
        let violations = try await JSONSchemaValidator.violations(batches.map { (schema: schema, json: $0.data) })
        #expect(violations == [], sourceLocation: sourceLocation)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ batches: [CollectedBatch]) throws -> [T] {
        try batches.map { try JSONDecoder().decode(T.self, from: Data($0.data)) }
    }
}
