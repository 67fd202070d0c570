import AWSCore
import AWSServices
import Bus
import Foundation
import Logging
import Payloads
import TestSupport
import Worker

/// Seeds moto in each (account, Region) through the worker's own per-target clients (moto maps
/// an assumed role's credentials to the role's account, and the signing Region to its Region),
/// and reads what a worker published back.
enum TargetsMotoFixture {
    static let logGroup = "/aws-realtime/targets"
    static let namespace = "AWSRealtime/Targets"

    /// The base chain: static keys moto maps to its default account (123456789012).
    static let baseCredentials = EnvironmentCredentialProvider(environment: [
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ])

    /// Security Hub with the two operations the test seeds moto with.
    static let securityHubSeeding = AWSService(
        cliName: "securityhub", serviceID: "SecurityHub", signingName: "securityhub", endpointPrefix: "securityhub",
        wireProtocol: .restJSON(operations: [
            "EnableSecurityHub": AWSRESTBinding(method: "POST", path: "/accounts"),
            "BatchImportFindings": AWSRESTBinding(method: "POST", path: "/findings/import"),
        ]))

    /// What the test's streams read: its log group, its namespace, every finding of the last day.
    static var streamSettings: StreamSettings {
        var settings = StreamSettings()
        settings.logs.logGroups = [logGroup]
        settings.logs.initialLookback = .seconds(600)
        settings.metrics.discoveryNamespaces = [namespace]
        settings.metrics.discoveryPeriod = 60
        settings.metrics.windowPeriods = 5
        settings.metrics.settleDelay = .zero
        return settings
    }

    /// Logs, metrics and security on a short interval, costs once; no CloudTrail or AWS Health
    /// (moto has neither).
    static func configuration(streams: Set<StreamName>) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            lease: .init(ttl: .seconds(5), renewInterval: .milliseconds(200)), demand: .always,
            heartbeatInterval: .seconds(1), jitter: 0, demandCheckInterval: .milliseconds(50))
        for stream in StreamName.allCases {
            configuration.streams[stream] = WorkerConfiguration.Stream(
                isEnabled: streams.contains(stream), interval: .seconds(1), keepWarmInterval: .seconds(60))
        }
        return configuration
    }

    static func tag(_ target: WorkerTarget) -> String { "\(target.account)/\(target.region)" }

    /// One log event, one metric with two datapoints and (where `findings`) one finding, each
    /// naming its target.
    static func seed(_ entry: WorkerTargetClients.Entry, findings: Bool) async throws {
        let client = entry.client
        let tag = tag(entry.target)
        _ = try await client.call(
            .cloudWatchLogs, operation: "CreateLogGroup", input: .object(["logGroupName": .string(logGroup)]))
        _ = try await client.call(
            .cloudWatchLogs, operation: "CreateLogStream",
            input: .object(["logGroupName": .string(logGroup), "logStreamName": .string("app")]))
        let now = Date()
        _ = try await client.call(
            .cloudWatchLogs, operation: "PutLogEvents",
            input: .object([
                "logGroupName": .string(logGroup), "logStreamName": .string("app"),
                "logEvents": .array([
                    .object([
                        "timestamp": .integer(Int64(now.timeIntervalSince1970 * 1000) - 30_000),
                        "message": .string("hello from \(tag)"),
                    ])
                ]),
            ]))
        let minute = (now.timeIntervalSince1970 / 60).rounded(.down) * 60
        let data: [JSONValue] = [minute - 120, minute - 60].map { time in
            .object([
                "MetricName": .string("Requests"),
                "Dimensions": .array([.object(["Name": .string("Target"), "Value": .string(tag)])]),
                "Timestamp": .string(AWSTimestamp.iso8601(Date(timeIntervalSince1970: time))), "Value": .double(1),
                "Unit": .string("Count"),
            ])
        }
        _ = try await client.call(
            .cloudWatch, operation: "PutMetricData",
            input: .object(["Namespace": .string(namespace), "MetricData": .array(data)]))
        guard findings else { return }
        _ = try await client.call(securityHubSeeding, operation: "EnableSecurityHub", input: .object([:]))
        let updated = ISO8601.string(from: now.addingTimeInterval(-60))
        let account = entry.target.account
        let region = entry.target.region
        _ = try await client.call(
            securityHubSeeding, operation: "BatchImportFindings",
            input: .object([
                "Findings": .array([
                    .object([
                        "SchemaVersion": .string("2018-10-08"), "Id": .string("finding-\(account)-\(region)"),
                        "ProductArn": .string("arn:aws:securityhub:\(region):\(account):product/\(account)/default"),
                        "GeneratorId": .string("aws-realtime-test"), "AwsAccountId": .string(account),
                        "Region": .string(region),
                        "Types": .array([.string("Software and Configuration Checks")]), "CreatedAt": .string(updated),
                        "UpdatedAt": .string(updated),
                        "Severity": .object(["Label": .string("HIGH"), "Original": .string("7")]),
                        "Title": .string("Finding in \(tag)"), "Description": .string("Imported by the test"),
                        "Workflow": .object(["Status": .string("NEW")]), "RecordState": .string("ACTIVE"),
                        "Resources": .array([
                            .object(["Type": .string("AwsAccount"), "Id": .string("AWS::::Account:\(account)")])
                        ]),
                    ])
                ])
            ]))
    }

    /// Every envelope of `stream` a worker published, decoded with its payload type.
    static func envelopes<Payload: Codable & Sendable>(
        _ bus: InProcessBus, stream: StreamName, as payload: Payload.Type
    ) async throws -> [Envelope<Payload>] {
        try await bus.makeSubscriber().history(of: stream, after: nil, limit: 10_000).compactMap { message in
            let bytes = Data(message.envelope.readableBytesView)
            guard (try? PublishedEnvelope(message))?.type != StreamStateData.type else { return nil }
            return try JSONDecoder().decode(Envelope<Payload>.self, from: bytes)
        }
    }

    /// Every `stream-state` envelope of `stream`.
    static func states(_ bus: InProcessBus, stream: StreamName) async throws -> [Envelope<StreamStateData>] {
        try await bus.makeSubscriber().history(of: stream, after: nil, limit: 10_000).compactMap { message in
            guard (try? PublishedEnvelope(message))?.type == StreamStateData.type else { return nil }
            return try JSONDecoder().decode(Envelope<StreamStateData>.self, from: Data(message.envelope.readableBytesView))
        }
    }
}
