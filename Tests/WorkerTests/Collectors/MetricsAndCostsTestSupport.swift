import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Logging
import Payloads
import Synchronization
import TestSupport
import Testing
import Worker

/// Shared by the metrics and costs collector tests: AWS clients over libcurl to loopback servers,
/// captures built in code, a fake CloudWatch, an adjustable clock and schema checks.
enum CollectorFixtures {
    /// The collector tests' static test credentials (`IncrementalFixtures.credentials`).
    static var credentials: EnvironmentCredentialProvider { IncrementalFixtures.credentials }

    static var logger: Logger { IncrementalFixtures.logger }

    /// `Tests/Captures`.
    static var capturesFolder: String { TestRepository.capturesFolder }

    /// An `AWSClient` over libcurl with static test credentials, every service at `endpoint`.
    static func withClient<T: Sendable>(endpoint: String, _ body: (AWSClient) async throws -> T) async throws -> T {
        try await withCurlTransport(logger: logger) { transport in
            let client = AWSClient(
                region: "eu-west-1", transport: transport, credentialProvider: credentials,
                endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": endpoint]),
                retry: AWSRetryConfiguration(maxAttempts: 1, backoffUnit: .milliseconds(5)), logger: logger)
            return try await body(client)
        }
    }

    /// The replay server on 127.0.0.1:0 serving `captures`, and a client pointed at it.
    static func withReplay<T: Sendable>(
        _ captures: [Capture], configure: (inout ReplayConfiguration) -> Void = { _ in },
        _ body: @Sendable (AWSClient) async throws -> T
    ) async throws -> T {
        var configuration = ReplayConfiguration()
        configuration.limits.idleTimeout = .seconds(5)
        configuration.requiresSignature = true
        configure(&configuration)
        let server = ReplayServer(captures: captures, configuration: configuration, logger: logger)
        return try await server.withServer { port in
            try await withClient(endpoint: "http://127.0.0.1:\(port)") { client in try await body(client) }
        }
    }

    /// A capture folder under `Tests/Captures`.
    static func captures(_ folder: String) throws -> [Capture] {
        try CaptureFolder.load(capturesFolder + "/" + folder)
    }

    /// A Cost Explorer (JSON 1.1) capture of `operation`.
    static func costExplorer(
        _ name: String, operation: String, request: String, response: String, status: Int = 200
    ) -> Capture {
        Capture.json11(name, target: "AWSInsightsIndexService.\(operation)", request: request, response: response, status: status)
    }

    /// A CloudWatch (query protocol) capture.
    static func cloudWatch(_ name: String, request: String, response: String) -> Capture {
        Capture(
            name: name,
            request: CapturedRequest(
                method: "POST", path: "/",
                headers: [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: Array(request.utf8)),
            response: CapturedResponse(
                status: 200,
                headers: [
                    AWSHTTPHeader("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555"),
                    AWSHTTPHeader("Content-Type", "text/xml"),
                ],
                body: Array(response.utf8)))
    }

    /// Expects every batch's payload to be valid against `schema` (`aws-metrics`, `aws-costs`).
    static func expectValid(_ batches: [CollectedBatch], schema: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let violations = try await JSONSchemaValidator.violations(batches.map { (schema: schema, json: $0.data) })
        #expect(violations.isEmpty, "\(violations)", sourceLocation: sourceLocation)
    }

    static func date(_ text: String) throws -> Date {
        try #require(ISO8601.date(from: text))
    }
}

extension RecordedRequest {
    /// The form fields of a query-protocol body, percent-decoded ('+' is a space).
    var collectorFormFields: [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
