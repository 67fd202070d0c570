import Foundation
import Payloads

/// One realistic value of every stream's data, as the collectors produce them.
enum PayloadSamples {
    static let now = Date(timeIntervalSince1970: 1_795_737_600)  // 2026-11-27T00:00:00Z

    static let metrics = MetricsData(series: [
        MetricSeries(
            id: "AWS/EC2|CPUUtilization|InstanceId=i-0abc|Average|300", namespace: "AWS/EC2", metric: "CPUUtilization",
            dimensions: ["InstanceId": "i-0abc"], statistic: "Average", unit: "Percent", period: 300,
            points: [
                MetricPoint(t: "2026-11-26T23:50:00.000Z", v: 12.5),
                MetricPoint(t: "2026-11-26T23:55:00.000Z", v: 17.25, partial: true),
            ])
    ])

    static let logs = LogsData(events: [
        LogEvent(
            id: "37134448277055041113838779985472138471712856447955505152", logGroup: "/aws/lambda/orders",
            logStream: "2026/11/26/[$LATEST]abc", timestamp: "2026-11-26T23:59:58.123Z",
            ingestionTime: "2026-11-26T23:59:59.001Z",
            message: "START RequestId: 1 Version: $LATEST\n")
    ])

    static let activity = ActivityData(events: [
        ActivityEvent(
            id: "0b1c2d3e-1111-2222-3333-444455556666", time: "2026-11-26T23:58:00.000Z", eventSource: "ec2.amazonaws.com",
            eventName: "RunInstances", readOnly: false, errorCode: nil, errorMessage: nil,
            who: .init(
                type: "IAMUser", userName: "alice", arn: "arn:aws:iam::123456789012:user/alice", accessKeyId: "AKIAEXAMPLE",
                principalId: "AIDAEXAMPLE"),
            awsRegion: "eu-west-1", sourceIPAddress: "203.0.113.7", userAgent: "aws-cli/2.15",
            resources: [.init(type: "AWS::EC2::Instance", name: "i-0abc")])
    ])

    static let costs = CostsData(
        start: "2026-11-01", end: "2026-11-27", currency: "USD", total: 1234.56, estimated: true,
        byDay: [
            .init(date: "2026-11-01", amount: 40.1, estimated: false), .init(date: "2026-11-26", amount: 51.2, estimated: true),
        ],
        groupBy: "SERVICE", byGroup: [.init(key: "Amazon Elastic Compute Cloud - Compute", amount: 800.5)],
        forecast: .init(amount: 1450.0, start: "2026-11-01", end: "2026-12-01"))

    static let security = SecurityData(findings: [
        SecurityFinding(
            id: "arn:aws:securityhub:eu-west-1:123456789012:subscription/aws-foundational/v/1.0.0/S3.1/finding/1",
            title: "S3.1 S3 Block Public Access",
            severity: .init(label: "HIGH", score: 70), workflowStatus: "NEW", recordState: "ACTIVE", product: "Security Hub",
            generator: "aws-foundational-security-best-practices/v/1.0.0/S3.1", account: "123456789012", region: "eu-west-1",
            complianceStatus: "FAILED",
            resources: [.init(type: "AwsAccount", id: "AWS::::Account:123456789012", region: "eu-west-1")],
            createdAt: "2026-11-20T10:00:00.000Z", updatedAt: "2026-11-26T23:00:00.000Z")
    ])

    static let health = HealthData(events: [
        HealthEvent(
            arn: "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_ABC", service: "EC2",
            typeCode: "AWS_EC2_OPERATIONAL_ISSUE", category: "issue", region: "eu-west-1", availabilityZone: nil,
            startTime: "2026-11-26T22:00:00.000Z", endTime: nil, lastUpdatedTime: "2026-11-26T23:30:00.000Z", status: "open",
            scope: "PUBLIC")
    ])

    /// Every sample, encoded, with the schema it must satisfy.
    static func encoded() throws -> [(schema: String, json: [UInt8])] {
        let encoder = JSONEncoder()
        return [
            ("aws-metrics", Array(try encoder.encode(metrics))),
            ("aws-logs", Array(try encoder.encode(logs))),
            ("aws-activity", Array(try encoder.encode(activity))),
            ("aws-costs", Array(try encoder.encode(costs))),
            ("aws-security", Array(try encoder.encode(security))),
            ("aws-health", Array(try encoder.encode(health))),
        ]
    }
}
