import AWSCore
/// A transport that sends through another one and writes every exchange to a capture folder,
/// credentials redacted (see ``CaptureRedactor``).
///
/// HTTP exchanges (any status) and transport failures are both recorded; a failure is rethrown
/// unchanged after it is written. A capture that cannot be written fails the call with
/// ``CaptureError``: recording exists to record.
public struct RecordingTransport<Base: Transport>: Transport {
    public let base: Base
    public let recorder: CaptureRecorder

    public init(wrapping base: Base, recorder: CaptureRecorder) {
        self.base = base
        self.recorder = recorder
    }

    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let response: AWSHTTPResponse
        do {
            response = try await base.send(request)
        } catch {
            try await recorder.record(request, response: nil, error: error)
            throw error
        }
        try await recorder.record(request, response: response)
        return response
    }
}
