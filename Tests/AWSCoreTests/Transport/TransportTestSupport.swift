import Logging
import Testing

@testable import AWSCore

let transportTestLogger = Logger(label: "aws-realtime.tests.transport")

/// Fast defaults for loopback tests.
func transportTestConfiguration(
    totalTimeout: Duration = .seconds(10),
    maxResponseBytes: Int = 1024 * 1024,
    maxConnectionsPerHost: Int = 8,
    maxPendingRequests: Int = 1024,
    caFile: String? = nil
) -> CurlTransportConfiguration {
    CurlTransportConfiguration(
        connectTimeout: .seconds(10),
        totalTimeout: totalTimeout,
        maxResponseBytes: maxResponseBytes,
        maxConnectionsPerHost: maxConnectionsPerHost,
        maxPendingRequests: maxPendingRequests,
        caFile: caFile,
        userAgent: "aws-realtime-tests"
    )
}

/// Sends `request` and returns the `TransportError` it must throw.
func expectTransportError(
    _ transport: CurlTransport,
    _ request: AWSHTTPRequest,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> TransportError {
    do {
        let response = try await transport.send(request)
        Issue.record("Expected a TransportError, got status \(response.status)", sourceLocation: sourceLocation)
        throw TransportTestFailure.unexpectedSuccess
    } catch let error as TransportError {
        return error
    }
}

enum TransportTestFailure: Error {
    case unexpectedSuccess
}
