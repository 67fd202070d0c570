import CCurl
import Testing

@testable import AWSCore

@Suite("TransportError and request validation")
struct TransportErrorTests {
    @Test func retryableCodes() {
        let retryable: [TransportError.Code] = [.timedOut, .connectionReset, .connectFailed, .queueFull]
        let final: [TransportError.Code] = [.tls, .responseTooLarge, .invalidRequest, .shutdown, .other]
        for code in retryable {
            #expect(TransportError(code: code, message: "").isRetryable, "\(code)")
        }
        for code in final {
            #expect(!TransportError(code: code, message: "").isRetryable, "\(code)")
        }
        #expect(TransportError(code: .timedOut, message: "").isTimeout)
        #expect(!TransportError(code: .connectFailed, message: "").isTimeout)
    }

    @Test(arguments: [
        ("https://monitoring.eu-west-1.amazonaws.com/?Action=ListMetrics", "monitoring.eu-west-1.amazonaws.com"),
        ("http://127.0.0.1:8080/path", "127.0.0.1:8080"),
        ("HTTPS://user:pass@example.com#x", "example.com"),
        ("http://[::1]:9000?q", "[::1]:9000"),
    ])
    func hostOfURL(url: String, host: String) {
        #expect(CurlTransport.host(of: url) == host)
    }

    @Test(arguments: ["ftp://example.com/", "http://", "example.com", "http://exa mple.com/", "http://a/\n"])
    func unusableURLs(url: String) {
        #expect(CurlTransport.host(of: url) == nil)
    }

    @Test func stateMachineHandsEachContinuationOutOnce() async {
        var state = CurlTransportState(maxPendingRequests: 1)
        let first = state.makeID()
        let second = state.makeID()
        // A task cancelled before it submits is refused at submission.
        #expect(state.cancel(second).isWake)
        await #expect(throws: CancellationError.self) {
            _ = try await withCheckedThrowingContinuation { continuation in
                let submission = CurlTransportState.Submission(
                    id: second, request: AWSHTTPRequest(method: "GET", url: "http://h/"), host: "h", continuation: continuation)
                switch state.submit(submission) {
                case .fail(let refused, let error):
                    refused.resume(throwing: error)
                case .wakeCurlThread:  // wrong, but never leave the continuation hanging
                    state.takeWork().submissions.first?.continuation.resume(returning: AWSHTTPResponse(status: 0))
                }
            }
        }
        // A queued request cancelled before the curl thread took it is resumed by the canceller.
        await #expect(throws: CancellationError.self) {
            _ = try await withCheckedThrowingContinuation { continuation in
                let submission = CurlTransportState.Submission(
                    id: first, request: AWSHTTPRequest(method: "GET", url: "http://h/"), host: "h", continuation: continuation)
                switch state.submit(submission) {
                case .fail(let refused, _):
                    refused.resume(returning: AWSHTTPResponse(status: 0))
                case .wakeCurlThread:
                    #expect(state.outstanding == 1)
                    switch state.cancel(first) {
                    case .resume(let queued):
                        queued.resume(throwing: CancellationError())
                    case .none, .wakeCurlThread:
                        state.takeWork().submissions.first?.continuation.resume(returning: AWSHTTPResponse(status: 0))
                    }
                }
            }
        }
        #expect(state.outstanding == 0)
        #expect(state.takeWork().submissions.isEmpty)
    }
}

extension CurlTransportState.CancelAction {
    fileprivate var isWake: Bool {
        if case .wakeCurlThread = self { true } else { false }
    }
}

@Suite("libcurl result classification")
struct CurlResultClassificationTests {
    @Test func codes() {
        func code(_ result: CURLcode, _ text: String = "", tooLarge: Bool = false) -> TransportError.Code {
            TransportError.classify(curlCode: result, errorText: text, isResponseTooLarge: tooLarge).0
        }
        #expect(code(CURLE_COULDNT_CONNECT) == .connectFailed)
        #expect(code(CURLE_COULDNT_RESOLVE_HOST) == .connectFailed)
        #expect(code(CURLE_OPERATION_TIMEDOUT) == .timedOut)
        #expect(code(CURLE_RECV_ERROR) == .connectionReset)
        #expect(code(CURLE_SEND_ERROR) == .connectionReset)
        #expect(code(CURLE_GOT_NOTHING) == .connectionReset)
        #expect(code(CURLE_PARTIAL_FILE) == .connectionReset)
        #expect(code(CURLE_PEER_FAILED_VERIFICATION) == .tls)
        #expect(code(CURLE_SSL_CONNECT_ERROR, "error:0A00010B:SSL routines::wrong version number") == .tls)
        #expect(
            code(CURLE_SSL_CONNECT_ERROR, "OpenSSL SSL_connect: Connection reset by peer in connection to h:443")
                == .connectionReset)
        #expect(
            code(CURLE_SSL_CONNECT_ERROR, "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to h:443") == .connectionReset)
        #expect(code(CURLE_FILESIZE_EXCEEDED) == .responseTooLarge)
        #expect(code(CURLE_WRITE_ERROR, tooLarge: true) == .responseTooLarge)
        #expect(code(CURLE_WRITE_ERROR) == .other)
        #expect(code(CURLE_URL_MALFORMAT) == .invalidRequest)
        #expect(code(CURLE_BAD_CONTENT_ENCODING) == .other)
    }
}
