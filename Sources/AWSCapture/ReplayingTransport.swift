import AWSCore
/// A transport that answers from captures in-process, without a socket: for unit tests of code
/// above the transport. The replay server (`AWSReplay`) serves the same captures over HTTP.
///
/// A request with no capture gets the replayer's 404 (see ``CaptureMismatch``). A capture of a
/// failed exchange (`transportError`) throws ``ReplayedTransportFailure``.
public struct ReplayingTransport: Transport {
    public let replayer: CaptureReplayer

    public init(captures: [Capture], matching: CaptureMatching = CaptureMatching(), exhaustion: CaptureExhaustion = .repeatLast) {
        self.replayer = CaptureReplayer(captures: captures, matching: matching, exhaustion: exhaustion)
    }

    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        try Task.checkCancellation()
        let captured = CapturedRequest(request)
        switch await replayer.answer(captured) {
        case .matched(let capture, _, _):
            guard let response = capture.response else {
                throw ReplayedTransportFailure(capture: capture.name, message: capture.transportError ?? "transport error")
            }
            return response
        case .unmatched(let mismatch):
            return mismatch.errorResponse(for: captured)
        }
    }
}

/// The recorded transport failure of a capture without a response, thrown again on replay.
public struct ReplayedTransportFailure: Error, Sendable, CustomStringConvertible {
    public var capture: String
    public var message: String

    public var description: String { "replayed transport failure from \(capture): \(message)" }
}
