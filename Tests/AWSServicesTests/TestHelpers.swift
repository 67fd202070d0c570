import AWSCore
import Foundation
import Logging
import SigV4
import Synchronization
import TestSupport

/// `Tests/AWSServicesTests/Fixtures`.
let fixtures = FixtureFolder(bundle: .module)

let testCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

var testLogger: Logger {
    var logger = Logger(label: "aws-realtime.tests.services")
    logger.logLevel = .warning
    return logger
}

/// An `AWSClient` over libcurl to `endpoint` (every service), with fast retries.
@discardableResult
func withAWSClient<T: Sendable>(
    endpoint: String,
    region: String = "us-east-1",
    retry: AWSRetryConfiguration = AWSRetryConfiguration(maxAttempts: 1, backoffUnit: .milliseconds(5)),
    _ body: (AWSClient) async throws -> T
) async throws -> T {
    try await withCurlTransport(logger: testLogger) { transport in
        let client = AWSClient(
            region: region, transport: transport, credentialProvider: StaticCredentialProvider(testCredentials),
            endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": endpoint]), retry: retry, logger: testLogger)
        return try await body(client)
    }
}

/// A scripted loopback server and a client pointed at it.
@discardableResult
func withScriptedAWS<T: Sendable>(
    retry: AWSRetryConfiguration = AWSRetryConfiguration(maxAttempts: 1, backoffUnit: .milliseconds(5)),
    handler: @escaping HTTPTestServer.Handler,
    _ body: (AWSClient, HTTPTestServer) async throws -> T
) async throws -> T {
    try await withHTTPTestServer(handler: handler) { server in
        try await withAWSClient(endpoint: server.url(), retry: retry) { client in
            try await body(client, server)
        }
    }
}

extension RecordedRequest {
    /// The form fields of a query-protocol body, percent-decoded.
    var formFields: [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            fields[name] = value
        }
        return fields
    }

    /// The JSON body.
    var json: JSONValue {
        (try? JSONValue(parsing: body)) ?? .null
    }
}

/// Serves `pages` in order of the token each request carries: no token gets the first page,
/// `tokens[i]` gets page i + 1.
func pagedHandler(
    pages: [String], tokens: [String], contentType: String, token read: @escaping @Sendable (RecordedRequest) -> String?
) -> HTTPTestServer.Handler {
    { request in
        let index: Int
        if let token = read(request) {
            guard let position = tokens.firstIndex(of: token) else {
                return .respond(
                    status: 400, headers: [("Content-Type", contentType)],
                    body: #"{"__type":"InvalidNextTokenException","message":"bad token"}"#)
            }
            index = position + 1
        } else {
            index = 0
        }
        return .respond(headers: [("Content-Type", contentType)], body: pages[index])
    }
}

/// A clock whose time only moves when something sleeps on it: sleeping advances it to the
/// deadline at once and records the wait. Tests of rate limits run in no real time.
final class VirtualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Instant, sleeps: [Duration])>((Instant(offset: .zero), []))
    /// Whether sleeping moves the clock to the deadline (a frozen clock only records sleeps).
    private let advancesOnSleep: Bool

    init(advancesOnSleep: Bool = true) {
        self.advancesOnSleep = advancesOnSleep
    }

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .nanoseconds(1) }
    /// Every sleep, in order.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(deadline.offset - state.now.offset)
            if advancesOnSleep, deadline > state.now { state.now = deadline }
        }
    }

    func advance(by duration: Duration) {
        state.withLock { $0.now = $0.now.advanced(by: duration) }
    }
}
