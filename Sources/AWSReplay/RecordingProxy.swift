import AWSCapture
import AWSCore
import Foundation
import Logging

/// Forwards each request to an upstream endpoint through a ``RecordingTransport`` and answers with
/// what came back: `aws-realtime record` points clients (`AWS_ENDPOINT_URL`) at it to record a
/// session against an endpoint that accepts their signatures as they are (moto, LocalStack, a
/// test double). Real AWS checks the signed `Host`, so recording real AWS goes through
/// `RecordingTransport` in the worker instead.
public struct RecordingProxy<Base: Transport>: ReplayRequestHandler {
    public let upstream: String
    public let transport: RecordingTransport<Base>
    private let logger: Logger
    private let wallClock: @Sendable () -> Date

    /// Request headers not forwarded: the transport frames the request for the upstream.
    static var hopHeaders: Set<String> { ["host", "content-length", "connection", "keep-alive", "transfer-encoding", "expect"] }

    /// `upstream` is a base URL (`http://127.0.0.1:5000`); the request's path and query are appended.
    public init(
        upstream: String, transport: RecordingTransport<Base>, logger: Logger,
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.transport = transport
        self.logger = logger
        self.wallClock = wallClock
    }

    public func respond(to request: CapturedRequest) async -> ReplayAction {
        let url = upstream + request.path + (request.query.isEmpty ? "" : "?" + request.query)
        let forwarded = AWSHTTPRequest(
            method: request.method,
            url: url,
            headers: request.headers.filter { !Self.hopHeaders.contains($0.name.lowercased()) },
            body: request.body
        )
        do {
            let response = try await transport.send(forwarded)
            var headers = response.headers
            headers.removeAll { $0.name.lowercased() == "date" }
            let finished = ReplayResponder.finish(
                AWSHTTPResponse(status: response.status, headers: headers, body: response.body), now: wallClock(), dateOffset: 0)
            return .respond(finished, delay: .zero)
        } catch {
            logger.info("record: upstream exchange failed", metadata: ["http.path": "\(request.path)", "error": "\(error)"])
            return .reset
        }
    }
}
