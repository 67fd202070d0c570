import TestSupport
import Testing

@testable import AWSCore

// Integration: libcurl against a server on 127.0.0.1, with timeouts of a few hundred milliseconds and
// elapsed-time bounds that a loaded machine (the unit layer in parallel) does not keep.
@Suite("CurlTransport failures", .tags(.integration))
struct CurlTransportFailureTests {
    @Test func resetConnectionIsConnectionReset() async throws {
        try await withHTTPTestServer { _ in
            .reset
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.code == .connectionReset)
                #expect(error.isRetryable)
                #expect(error.host == "127.0.0.1:\(server.port)")
                #expect(error.message.contains("127.0.0.1:\(server.port)"))
            }
        }
    }

    @Test func closeWithoutResponseIsConnectionReset() async throws {
        try await withHTTPTestServer { _ in
            .close
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.code == .connectionReset)
                #expect(error.curlCode == 52)  // CURLE_GOT_NOTHING
            }
        }
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        let port = try FreePort.next()
        try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
            let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
            #expect(error.code == .connectFailed)
            #expect(error.isRetryable)
            #expect(error.curlCode == 7)
        }
    }

    @Test func slowFirstByteTimesOut() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200).delayed(by: .seconds(5))
        } _: { server in
            let configuration = transportTestConfiguration(totalTimeout: .milliseconds(300))
            try await withCurlTransport(configuration: configuration, logger: transportTestLogger) { transport in
                let clock = ContinuousClock()
                let start = clock.now
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.code == .timedOut)
                #expect(error.isTimeout)
                #expect(error.isRetryable)
                #expect(clock.now - start < .seconds(2))
            }
        }
    }

    @Test func requestTimeoutOverridesConfiguration() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200).delayed(by: .seconds(5))
        } _: { server in
            try await withCurlTransport(
                configuration: transportTestConfiguration(totalTimeout: .seconds(30)), logger: transportTestLogger
            ) {
                transport in
                let request = AWSHTTPRequest(method: "GET", url: server.url(), timeout: .milliseconds(200))
                let error = try await expectTransportError(transport, request)
                #expect(error.isTimeout)
            }
        }
    }

    @Test(arguments: [false, true])
    func responseOverTheCapIsRejected(chunked: Bool) async throws {
        let body = [UInt8](repeating: 7, count: 5000)
        try await withHTTPTestServer { _ in
            chunked ? .respond(status: 200, body: body).chunked() : .respond(status: 200, body: body)
        } _: { server in
            let configuration = transportTestConfiguration(maxResponseBytes: 1000)
            try await withCurlTransport(configuration: configuration, logger: transportTestLogger) { transport in
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.code == .responseTooLarge)
                #expect(!error.isRetryable)
                // With a Content-Length libcurl refuses up front (63); chunked, the write callback aborts (23).
                #expect(error.curlCode == (chunked ? 23 : 63))
            }
        }
    }

    @Test func decompressedSizeCountsAgainstTheCap() async throws {
        let body = [UInt8](repeating: 7, count: 5000)
        try await withHTTPTestServer { _ in
            .respond(status: 200, body: body).gzipEncoded().chunked()
        } _: { server in
            try await withCurlTransport(
                configuration: transportTestConfiguration(maxResponseBytes: 4999), logger: transportTestLogger
            ) {
                transport in
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.code == .responseTooLarge)
            }
        }
    }

    @Test func oversizedResponseHeadersAreRejected() async throws {
        let bigValue = String(repeating: "h", count: 30_000)
        try await withHTTPTestServer { _ in
            .respond(status: 200, headers: (0..<10).map { ("X-Big-\($0)", bigValue) })
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.code == .responseTooLarge)
                #expect(!error.message.contains(bigValue))
            }
        }
    }

    @Test func truncatedBodyFails() async throws {
        try await withHTTPTestServer { _ in
            .truncated(body: Array("partial".utf8), declaredLength: 100)
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(error.curlCode == 18)  // CURLE_PARTIAL_FILE
                #expect(error.code == .connectionReset)
                #expect(error.isRetryable)
            }
        }
    }

    @Test func cancellingTheTaskStopsTheTransferAndClosesTheConnection() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200).delayed(by: .seconds(10))
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let clock = ContinuousClock()
                let elapsed = try await withThrowingTaskGroup(of: Duration.self) { group in
                    group.addTask {
                        do {
                            _ = try await transport.send(AWSHTTPRequest(method: "GET", url: server.url()))
                            Issue.record("The request should have been cancelled")
                        } catch is CancellationError {
                        }
                        return .zero
                    }
                    try #require(
                        await eventually(timeout: .seconds(30)) { server.requests.count == 1 }, "the request reaches the server")
                    let cancelledAt = clock.now
                    group.cancelAll()
                    try await group.waitForAll()
                    return clock.now - cancelledAt
                }
                #expect(elapsed < .seconds(1))
                try #require(
                    await eventually(timeout: .seconds(30)) { server.closedConnections == 1 },
                    "the server sees the connection closed")
                // The transport keeps working afterwards.
                #expect(transport.statistics.transfersCompleted == 1)
            }
        }
    }

    @Test func taskCancelledBeforeSendingNeverReachesTheServer() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200)
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.cancelAll()
                    group.addTask {
                        await #expect(throws: CancellationError.self) {
                            try await transport.send(AWSHTTPRequest(method: "GET", url: server.url()))
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(server.requests.isEmpty)
                #expect(server.acceptedConnections == 0)
            }
        }
    }

    @Test func httpsToAPlainHTTPPortIsANonRetryableTLSError() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200)
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let url = "https://127.0.0.1:\(server.port)/"
                let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: url))
                #expect(error.code == .tls)
                #expect(!error.isRetryable)
            }
        }
    }

    @Test func invalidRequestsAreRejectedBeforeSending() async throws {
        try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
            let secret = "AWS4-HMAC-SHA256 secret\r\nX-Injected: 1"
            let injected = try await expectTransportError(
                transport,
                AWSHTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [AWSHTTPHeader("Authorization", secret)])
            )
            #expect(injected.code == .invalidRequest)
            #expect(!injected.message.contains("secret"))
            let file = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: "file:///etc/passwd"))
            #expect(file.code == .invalidRequest)
            let method = try await expectTransportError(transport, AWSHTTPRequest(method: "GE T", url: "http://127.0.0.1:1/"))
            #expect(method.code == .invalidRequest)
        }
    }

    /// A burst beyond `maxConnectionsPerHost` waits for a free connection without spending the
    /// connect timeout (libcurl 8.17 began counting it for waiting transfers, curl/curl#21396; the
    /// Debian libcurl here does not).
    @Test func requestsWaitingForAConnectionDoNotSpendTheConnectTimeout() async throws {
        try await withHTTPTestServer { request in
            .respond(status: 200, body: request.uri).delayed(by: .milliseconds(150))
        } _: { server in
            var configuration = transportTestConfiguration(maxConnectionsPerHost: 1)
            configuration.connectTimeout = .milliseconds(300)
            try await withCurlTransport(configuration: configuration, logger: transportTestLogger) { transport in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            try await transport.send(AWSHTTPRequest(method: "GET", url: server.url("/\(index)"))).status
                        }
                    }
                    for try await status in group {
                        #expect(status == 200)
                    }
                }
                #expect(server.requests.count == 6)
                #expect(server.acceptedConnections == 1)
            }
        }
    }

    /// The total timeout still counts the wait for a connection, as documented.
    @Test func theTotalTimeoutCountsTheWaitForAConnection() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200).delayed(by: .milliseconds(400))
        } _: { server in
            let configuration = transportTestConfiguration(totalTimeout: .milliseconds(600), maxConnectionsPerHost: 1)
            try await withCurlTransport(configuration: configuration, logger: transportTestLogger) { transport in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let response = try await transport.send(AWSHTTPRequest(method: "GET", url: server.url("/first")))
                        #expect(response.status == 200)
                    }
                    try #require(
                        await eventually(timeout: .seconds(30)) { server.requests.count == 1 },
                        "the first request reaches the server")
                    let error = try await expectTransportError(
                        transport, AWSHTTPRequest(method: "GET", url: server.url("/second")))
                    #expect(error.code == .timedOut)
                    try await group.waitForAll()
                }
            }
        }
    }
}
