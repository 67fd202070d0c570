import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Logging
import TestSupport

/// Shared helpers: the shipped capture folder, small captures built in code, a server in a scope.
enum Fixtures {
    /// `Tests/Captures`, found from this file's path (the tests run from the package root or not).
    static var capturesFolder: String {
        TestRepository.capturesFolder
    }

    static let logger = Logger(label: "aws-realtime.replay.tests")

    static func withReplayServer<Result: Sendable>(
        captures: [Capture],
        configure: (inout ReplayConfiguration) -> Void = { _ in },
        _ body: @Sendable (LoopbackClient) async throws -> Result
    ) async throws -> Result {
        var configuration = ReplayConfiguration()
        configuration.limits.idleTimeout = .seconds(5)
        configure(&configuration)
        let server = ReplayServer(captures: captures, configuration: configuration, logger: logger)
        return try await server.withServer { port in
            try await withCurlTransport(logger: logger) { transport in
                try await body(LoopbackClient(port: port, transport: transport))
            }
        }
    }

    static let logsTarget = "Logs_20140328.FilterLogEvents"
    static let trailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"

    /// A JSON 1.1 capture: `target` with `requestBody`, answering `responseBody`.
    static func json11(_ name: String, target: String, requestBody: String, responseBody: String, status: Int = 200) -> Capture {
        Capture(
            name: name,
            request: CapturedRequest(
                method: "POST",
                path: "/",
                headers: [
                    AWSHTTPHeader("X-Amz-Target", target), AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                ],
                body: Array(requestBody.utf8)
            ),
            response: CapturedResponse(
                status: status,
                headers: [
                    AWSHTTPHeader("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555"),
                    AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                    AWSHTTPHeader("Content-Length", "999"),
                    AWSHTTPHeader("Date", "Wed, 01 Jan 2020 00:00:00 GMT"),
                ],
                body: Array(responseBody.utf8)
            )
        )
    }

    /// A query-protocol capture (CloudWatch) with form `requestBody`.
    static func query(_ name: String, requestBody: String, responseBody: String) -> Capture {
        Capture(
            name: name,
            request: CapturedRequest(
                method: "POST",
                path: "/",
                headers: [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: Array(requestBody.utf8)
            ),
            response: CapturedResponse(
                status: 200,
                headers: [AWSHTTPHeader("Content-Type", "text/xml")],
                body: Array(responseBody.utf8)
            )
        )
    }

    /// A restJson1 capture (Security Hub `POST /findings`).
    static func rest(_ name: String, path: String, requestBody: String, responseBody: String) -> Capture {
        Capture(
            name: name,
            request: CapturedRequest(
                method: "POST",
                path: path,
                headers: [AWSHTTPHeader("Content-Type", "application/json")],
                body: Array(requestBody.utf8)
            ),
            response: CapturedResponse(
                status: 200,
                headers: [AWSHTTPHeader("Content-Type", "application/json")],
                body: Array(responseBody.utf8)
            )
        )
    }

    static let validAuthorization =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-1/logs/aws4_request, "
        + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
}
