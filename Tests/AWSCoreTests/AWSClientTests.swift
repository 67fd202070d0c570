import AWSCore
import Foundation
import Logging
import SigV4
import Synchronization
import TestSupport
import Testing

/// The whole path of a call: protocol layout, endpoint override, SigV4, libcurl over a real
/// socket to a scripted server on 127.0.0.1, error decoding and retries.
@Suite struct AWSClientTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        sessionToken: "session-token-value")

    static let listMetricsXML = """
        <ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult><Metrics><member>\
        <Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName><Dimensions/></member></Metrics></ListMetricsResult>\
        <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ListMetricsResponse>
        """

    static let throttlingXML = """
        <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
        <RequestId>r-throttled</RequestId></ErrorResponse>
        """

    func withClient<T: Sendable>(
        handler: @escaping HTTPTestServer.Handler,
        provider: any CredentialProvider = StaticCredentialProvider(credentials),
        retry: AWSRetryConfiguration = AWSRetryConfiguration(backoffUnit: .milliseconds(5)),
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: (AWSClient, HTTPTestServer) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return try await withHTTPTestServer(handler: handler) { server in
            try await withCurlTransport(logger: logger) { transport in
                let client = AWSClient(
                    region: "eu-west-1", transport: transport, credentialProvider: provider,
                    endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": server.url()]),
                    retry: retry, now: now, logger: logger)
                return try await body(client, server)
            }
        }
    }

    @Test func signedQueryCallIsDecoded() async throws {
        try await withClient(handler: { _ in .respond(headers: [("Content-Type", "text/xml")], body: Self.listMetricsXML) }) {
            client, server in
            let output = try await client.call(
                .cloudWatch, operation: "ListMetrics", input: .object(["Namespace": .string("AWS/EC2")]))
            #expect(output["Metrics"]?.arrayValue?.first?["MetricName"] == .string("CPUUtilization"))
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.header("Host") == "127.0.0.1:\(server.port)")
            #expect(String(decoding: request.body, as: UTF8.self) == "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2")
            let authorization = try #require(request.header("Authorization"))
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
            #expect(authorization.contains("/eu-west-1/monitoring/aws4_request"))
            #expect(request.header("X-Amz-Security-Token") == "session-token-value")
            #expect(request.header("X-Amz-Date")?.count == 16)
        }
    }

    @Test func throttlingThenSuccess() async throws {
        let calls = Mutex(0)
        try await withClient(handler: { _ in
            let call = calls.withLock {
                $0 += 1; return $0
            }
            return call <= 2 ? .respond(status: 400, body: Self.throttlingXML) : .respond(body: Self.listMetricsXML)
        }) { client, server in
            let output = try await client.call(.cloudWatch, operation: "ListMetrics", input: .null)
            #expect(output["Metrics"] != nil)
            #expect(server.requests.count == 3)
            // Two retries took 10 tokens; the success gave the last retry's 5 back.
            #expect(client.retryTokensAvailable == 495)
            // Each attempt is signed anew.
            #expect(Set(server.requests.compactMap { $0.header("Authorization") }).count >= 1)
        }
    }

    @Test func serverErrorsExhaustTheAttempts() async throws {
        try await withClient(handler: { _ in .respond(status: 503, body: "") }) { client, server in
            await #expect {
                try await client.call(.cloudWatchLogs, operation: "FilterLogEvents", input: .null)
            } throws: { error in
                let error = error as? AWSError
                return error?.code == "ServiceUnavailable" && error?.httpStatus == 503 && error?.operation == "FilterLogEvents"
            }
            #expect(server.requests.count == 3)
        }
    }

    @Test func maxAttemptsOfOneNeverRetries() async throws {
        try await withClient(
            handler: { _ in .respond(status: 500, body: "") },
            retry: AWSRetryConfiguration(maxAttempts: 1, backoffUnit: .milliseconds(5))
        ) { client, server in
            await #expect(throws: AWSError.self) { try await client.call(.health, operation: "DescribeEvents", input: .null) }
            #expect(server.requests.count == 1)
        }
    }

    @Test func accessDeniedIsNotRetried() async throws {
        let body = #"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::1:user/x is not authorized"}"#
        try await withClient(handler: { _ in .respond(status: 400, body: body) }) { client, server in
            await #expect {
                try await client.call(.cloudTrail, operation: "LookupEvents", input: .null)
            } throws: { error in
                let error = error as? AWSError
                return error?.code == "AccessDeniedException" && error?.isRetryable == false
                    && error?.description.contains("cloudtrail LookupEvents AccessDeniedException") == true
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test func resetConnectionIsRetried() async throws {
        let calls = Mutex(0)
        try await withClient(handler: { _ in
            calls.withLock {
                $0 += 1; return $0
            } == 1 ? .reset : .respond(body: "{}")
        }) { client, server in
            let output = try await client.call(.costExplorer, operation: "GetCostAndUsage", input: .null)
            #expect(output == .object([:]))
            #expect(server.requests.count == 2)
        }
    }

    @Test func retryAfterHeaderIsHonoured() async throws {
        let calls = Mutex(0)
        try await withClient(handler: { _ in
            calls.withLock {
                $0 += 1; return $0
            } == 1
                ? .respond(status: 429, headers: [("x-amz-retry-after", "300")], body: #"{"__type":"TooManyRequestsException"}"#)
                : .respond(body: "{}")
        }) { client, _ in
            let start = ContinuousClock.now
            _ = try await client.call(.securityHub, operation: "GetFindings", input: .null)
            #expect(ContinuousClock.now - start >= .milliseconds(300))
        }
    }

    /// The server's clock is an hour ahead; it refuses requests dated more than 5 minutes off and
    /// says its time in `Date`. The client learns the offset and re-signs.
    @Test func clockSkewIsCorrected() async throws {
        let serverOffset: TimeInterval = 3600
        try await withClient(handler: { request in
            let serverNow = Date().addingTimeInterval(serverOffset)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let signed = request.header("X-Amz-Date").flatMap(formatter.date(from:)) ?? .distantPast
            guard abs(signed.timeIntervalSince(serverNow)) < 300 else {
                formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
                return .respond(
                    status: 403, headers: [("Date", formatter.string(from: serverNow))],
                    body: #"{"__type":"InvalidSignatureException","message":"Signature expired"}"#)
            }
            return .respond(body: "{}")
        }) { client, server in
            _ = try await client.call(.cloudWatchLogs, operation: "FilterLogEvents", input: .null)
            #expect(server.requests.count == 2)
            // The next call is signed with the corrected clock at once.
            _ = try await client.call(.cloudWatchLogs, operation: "FilterLogEvents", input: .null)
            #expect(server.requests.count == 3)
        }
    }

    @Test func expiredTokenRefreshesCredentialsOnce() async throws {
        let provider = CountingProvider()
        let calls = Mutex(0)
        try await withClient(
            handler: { _ in
                calls.withLock {
                    $0 += 1; return $0
                } == 1
                    ? .respond(
                        status: 400, body: #"{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"expired"}"#)
                    : .respond(body: "{}")
            }, provider: provider
        ) { client, server in
            _ = try await client.call(.cloudTrail, operation: "LookupEvents", input: .null)
            #expect(server.requests.count == 2)
            #expect(provider.invalidations.withLock { $0 } == 1)
            #expect(server.requests.last?.header("Authorization")?.contains("Credential=AKID2/") == true)
        }
    }

    @Test func cancellationStopsTheCallPromptly() async throws {
        try await withClient(handler: { _ in .respond(body: "{}").delayed(by: .seconds(10)) }) { client, _ in
            let start = ContinuousClock.now
            let task = Task { try await client.call(.health, operation: "DescribeEvents", input: .null) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // Well before the answer's 10 s delay (a loose bound: the unit layer runs in parallel).
            #expect(ContinuousClock.now - start < .seconds(8))
        }
    }

    @Test func missingCredentialsNameTheCall() async throws {
        try await withClient(handler: { _ in .respond(body: "{}") }, provider: EnvironmentCredentialProvider(environment: [:])) {
            client, server in
            await #expect {
                try await client.call(.sts, operation: "GetCallerIdentity", input: .null)
            } throws: { error in
                let error = error as? AWSError
                return error?.kind == .credentials && error?.service == "sts" && error?.operation == "GetCallerIdentity"
            }
            #expect(server.requests.isEmpty)
        }
    }
}

/// Hands out a first key, then a second one after `invalidate()`.
final class CountingProvider: CredentialProvider {
    let invalidations = Mutex(0)

    func credentials() async throws -> AWSCredentials {
        let generation = invalidations.withLock { $0 }
        return AWSCredentials(accessKeyID: "AKID\(generation + 1)", secretAccessKey: "secret-\(generation)", sessionToken: "t")
    }

    func invalidate() async {
        invalidations.withLock { $0 += 1 }
    }
}
