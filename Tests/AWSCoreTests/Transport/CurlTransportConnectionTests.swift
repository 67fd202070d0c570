import TestSupport
import Testing

@testable import AWSCore

@Suite("CurlTransport connections and concurrency")
struct CurlTransportConnectionTests {
    @Test func sequentialRequestsReuseOneConnectionAndOneEasyHandle() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200, body: "ok")
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                for index in 0..<10 {
                    let response = try await transport.send(AWSHTTPRequest(method: "GET", url: server.url("/\(index)")))
                    #expect(response.status == 200)
                }
                #expect(server.requests.count == 10)
                #expect(server.acceptedConnections == 1)
                #expect(Set(server.requests.map(\.connectionNumber)) == [1])
                #expect(transport.statistics.easyHandlesCreated == 1)
            }
        }
    }

    @Test func hundredConcurrentRequestsCompleteOnOneCurlThread() async throws {
        try await withHTTPTestServer { request in
            .respond(status: 200, body: request.uri).delayed(by: .milliseconds(5))
        } _: { server in
            let configuration = transportTestConfiguration(maxConnectionsPerHost: 6)
            try await withCurlTransport(configuration: configuration, logger: transportTestLogger) { transport in
                let paths = try await withThrowingTaskGroup(of: (String, AWSHTTPResponse).self) { group in
                    for index in 0..<100 {
                        group.addTask {
                            let path = "/item/\(index)"
                            return (path, try await transport.send(AWSHTTPRequest(method: "GET", url: server.url(path))))
                        }
                    }
                    var paths: [String] = []
                    for try await (path, response) in group {
                        #expect(response.status == 200)
                        #expect(response.body == Array(path.utf8))
                        paths.append(path)
                    }
                    return paths
                }
                #expect(Set(paths).count == 100)
                #expect(server.requests.count == 100)
                // Bounded by CURLMOPT_MAX_HOST_CONNECTIONS.
                #expect(server.acceptedConnections <= 6)
                let statistics = transport.statistics
                #expect(statistics.threadsStarted == 1)
                #expect(statistics.transfersCompleted == 100)
            }
        }
    }

    @Test func fullQueueRejectsAtOnce() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200).delayed(by: .seconds(2))
        } _: { server in
            let configuration = transportTestConfiguration(maxPendingRequests: 2)
            try await withCurlTransport(configuration: configuration, logger: transportTestLogger) { transport in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<2 {
                        group.addTask { _ = try? await transport.send(AWSHTTPRequest(method: "GET", url: server.url())) }
                    }
                    try #require(
                        await eventually(timeout: .seconds(30)) { server.requests.count == 2 }, "two requests reach the server")
                    let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                    #expect(error.code == .queueFull)
                    #expect(error.isRetryable)
                    group.cancelAll()
                }
            }
        }
    }

    @Test func shutdownFailsRequestsInFlightAndLaterOnes() async throws {
        try await withHTTPTestServer { _ in
            .neverAnswer
        } _: { server in
            let transport = try CurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
                    #expect(error.code == .shutdown)
                    #expect(!error.isRetryable)
                }
                try #require(
                    await eventually(timeout: .seconds(30)) { server.requests.count == 1 }, "the request reaches the server")
                await transport.shutdown()
                #expect(transport.lifecycle == .stopped)
                try await group.waitForAll()
            }
            let late = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: server.url()))
            #expect(late.code == .shutdown)
            await transport.shutdown()  // idempotent
        }
    }
}
