import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import SigV4
import Testing

/// The project's AWS client (SigV4 signer, protocols, retries) over libcurl against the replay
/// server serving the shipped captures: the path the worker's tests will take.
@Suite(.timeLimit(.minutes(1))) struct ReplayEndToEndTests {
    static let secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let credentials = StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secretKey))

    func withClient(
        folder: String,
        configure: (inout ReplayConfiguration) -> Void = { _ in },
        _ body: @Sendable (AWSClient) async throws -> Void
    ) async throws {
        let captures = try CaptureFolder.load(Fixtures.capturesFolder + "/" + folder)
        try await Fixtures.withReplayServer(captures: captures, configure: configure) { loopback in
            let client = AWSClient(
                region: "eu-west-1",
                transport: loopback.transport,
                credentialProvider: Self.credentials,
                endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": loopback.endpoint]),
                retry: AWSRetryConfiguration(maxAttempts: 3, backoffUnit: .milliseconds(1), maxBackoff: .milliseconds(5)),
                logger: Fixtures.logger
            )
            try await body(client)
        }
    }

    @Test func listMetricsPagesThroughTheShippedCapturesWithASignatureRequired() async throws {
        try await withClient(folder: "cloudwatch", configure: { $0.requiresSignature = true }) { client in
            let first = try await client.call(
                .cloudWatch, operation: "ListMetrics", input: try JSONValue(parsing: #"{"Namespace":"AWS/EC2"}"#))
            let firstText = first.encodedString(pretty: false)
            #expect(firstText.contains("eyJwYWdlIjoyfQ=="))
            let second = try await client.call(
                .cloudWatch,
                operation: "ListMetrics",
                input: try JSONValue(parsing: #"{"Namespace":"AWS/EC2","NextToken":"eyJwYWdlIjoyfQ=="}"#)
            )
            #expect(second.encodedString(pretty: false).contains("TimeToFirstByte"))
        }
    }

    @Test func throttledTwiceThenServedIsRetriedToSuccess() async throws {
        try await withClient(
            folder: "cloudtrail",
            configure: {
                $0.faults = ReplayFaultSchedule(rules: [
                    .init(operation: "LookupEvents", requests: [1, 2], fault: ReplayFault(.throttle))
                ])
            }
        ) { client in
            let output = try await client.call(
                .cloudTrail, operation: "LookupEvents", input: try JSONValue(parsing: #"{"MaxResults":50}"#))
            #expect(output.encodedString(pretty: false).contains("ConsoleLogin"))
        }
    }

    @Test func skewedClockAndExpiredTokenAreRecoveredFrom() async throws {
        for kind in [ReplayFault.Kind.skewedDate, .expiredToken] {
            try await withClient(
                folder: "logs",
                configure: {
                    $0.faults = ReplayFaultSchedule(rules: [.init(requests: [1], fault: ReplayFault(kind, skewSeconds: 3600))])
                }
            ) { client in
                let output = try await client.call(
                    .cloudWatchLogs,
                    operation: "FilterLogEvents",
                    input: try JSONValue(parsing: #"{"logGroupName":"/aws/lambda/orders","startTime":1,"endTime":2,"limit":2}"#)
                )
                #expect(output.encodedString(pretty: false).contains("START RequestId"), "after \(kind)")
            }
        }
    }

    @Test func serviceErrorsComeBackAsAWSErrors() async throws {
        try await withClient(folder: "errors") { client in
            await #expect {
                _ = try await client.call(
                    .costExplorer,
                    operation: "GetCostAndUsage",
                    input: try JSONValue(
                        parsing:
                            #"{"TimePeriod":{"Start":"2026-11-01","End":"2026-11-27"},"Granularity":"MONTHLY","Metrics":["BlendedCost","UnblendedCost","UsageQuantity"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"},{"Type":"TAG","Key":"Environment"}]}"#
                    )
                )
            } throws: { error in
                (error as? AWSError)?.code == "AccessDeniedException"
            }
        }
    }
}
