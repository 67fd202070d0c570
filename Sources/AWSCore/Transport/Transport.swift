/// Sends one HTTP request and returns its response. Implementations: libcurl (`CurlTransport`),
/// recording and replaying transports for tests and captures.
///
/// A transport never retries: retries, signing and error decoding live above it.
/// It throws ``TransportError`` for failures below HTTP (connect, TLS, timeout, reset, size cap,
/// full queue, shutdown) and `CancellationError` when the calling task is cancelled; any HTTP
/// status, 5xx included, is a response.
public protocol Transport: Sendable {
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse
}
