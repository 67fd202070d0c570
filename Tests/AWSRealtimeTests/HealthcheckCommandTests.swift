import Foundation
import TestSupport
import Testing

/// `aws-realtime healthcheck`, the built executable as a child process, against a scripted HTTP
/// server on 127.0.0.1: exit 0 on 2xx, 1 with a one-line reason otherwise.
@Suite(
    .timeLimit(.minutes(1)), .enabled(if: AWSRealtimeExecutable.isBuilt, "build the aws-realtime executable first"),
    .tags(.integration))
struct HealthcheckCommandTests {
    @Test func aTwoHundredIsHealthy() async throws {
        try await withHTTPTestServer(handler: { _ in .respond(status: 200, body: "ok\n") }) { server in
            let result = try await AWSRealtimeExecutable.run(["healthcheck", "--url", server.url("/health")])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "healthy: \(server.url("/health")) answered 200\n")
            #expect(server.requests.map { "\($0.method) \($0.uri)" } == ["GET /health"])
        }
    }

    @Test func anErrorStatusIsUnhealthyWithTheStatusAndFirstLine() async throws {
        try await withHTTPTestServer(handler: { _ in .respond(status: 503, body: "not ready\nmore\n") }) { server in
            let result = try await AWSRealtimeExecutable.run(["healthcheck", "--url", server.url("/health")])
            #expect(result.status == 1)
            #expect(result.stderr == "unhealthy: \(server.url("/health")) answered 503: not ready\n")
        }
    }

    @Test func nothingListeningIsUnhealthy() async throws {
        let url = "http://127.0.0.1:\(try FreePort.next())/health"
        let result = try await AWSRealtimeExecutable.run(["healthcheck", "--url", url])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("unhealthy: \(url): cannot connect ("))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "one line: \(result.stderr)")
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        try await withHTTPTestServer(handler: { _ in .neverAnswer }) { server in
            let started = ContinuousClock.now
            let result = try await AWSRealtimeExecutable.run(["healthcheck", "--url", server.url("/health"), "--timeout", "1"])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("unhealthy: \(server.url("/health")): "))
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    /// Without `--url` the probe follows `PORT`, as the servers do.
    @Test func portSelectsTheDefaultURL() async throws {
        try await withHTTPTestServer(handler: { _ in .respond(status: 204) }) { server in
            let result = try await AWSRealtimeExecutable.run(["healthcheck"], environment: ["PORT": "\(server.port)"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "healthy: http://127.0.0.1:\(server.port)/health answered 204\n")
        }
    }

    @Test func aBadURLIsAUsageError() async throws {
        let result = try await AWSRealtimeExecutable.run(["healthcheck", "--url", "ftp://127.0.0.1/health"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--url 'ftp://127.0.0.1/health' must be an http:// or https:// URL"))
    }
}
