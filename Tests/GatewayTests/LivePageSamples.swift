import Foundation
import Payloads

/// Realistic data for the six streams, as the collectors produce it, with times relative to
/// `now` so the page shows them as fresh. Validated against the JSON Schemas in the tests.
struct LivePageSamples {
    let now: Date

    /// A point in time `seconds` before `now`, ISO-8601 with milliseconds.
    private func ago(_ seconds: TimeInterval) -> String { ISO8601.string(from: now.addingTimeInterval(-seconds)) }

    var metrics: MetricsData {
        // Twelve 5-minute periods ending with the still-filling one.
        let period = 300.0
        let current = (now.timeIntervalSince1970 / period).rounded(.down) * period
        func points(_ values: [Double]) -> [MetricPoint] {
            values.enumerated().map { index, value in
                let start = Date(timeIntervalSince1970: current - period * Double(values.count - 1 - index))
                return MetricPoint(t: ISO8601.string(from: start), v: value, partial: index == values.count - 1)
            }
        }
        return MetricsData(series: [
            MetricSeries(
                id: "AWS/EC2|CPUUtilization|InstanceId=i-0abc123def4567890|Average|300", namespace: "AWS/EC2",
                metric: "CPUUtilization", dimensions: ["InstanceId": "i-0abc123def4567890"], statistic: "Average",
                unit: "Percent", period: 300,
                points: points([12.5, 14.1, 13.8, 22.4, 35.9, 41.2, 38.7, 29.3, 24.8, 19.6, 17.2, 18.4])),
            MetricSeries(
                id: "AWS/Lambda|Invocations|FunctionName=orders-api|Sum|300", namespace: "AWS/Lambda", metric: "Invocations",
                dimensions: ["FunctionName": "orders-api"], statistic: "Sum", unit: "Count", period: 300,
                points: points([1180, 1243, 1302, 1296, 1411, 1620, 1873, 1754, 1502, 1388, 1290, 402])),
            MetricSeries(
                id: "AWS/ApplicationELB|TargetResponseTime|LoadBalancer=app/web/50dc6c495c0c9188|p99|300",
                namespace: "AWS/ApplicationELB", metric: "TargetResponseTime",
                dimensions: ["LoadBalancer": "app/web/50dc6c495c0c9188"], statistic: "p99", unit: "Seconds", period: 300,
                points: points([0.21, 0.19, 0.24, 0.31, 0.52, 0.87, 0.64, 0.33, 0.27, 0.22, 0.2, 0.23])),
        ])
    }

    var logs: LogsData {
        LogsData(events: [
            LogEvent(
                id: "37134448277055041113838779985472138471712856447955505152", logGroup: "/aws/lambda/orders-api",
                logStream: "2026/11/27/[$LATEST]6f1c2a", timestamp: ago(42), ingestionTime: ago(41),
                message: "START RequestId: 8d2f7c1e-4b1a-4f7e-9a51-2c3d4e5f6a7b Version: $LATEST\n"),
            LogEvent(
                id: "37134448277055041113838779985472138471712856447955505153", logGroup: "/aws/lambda/orders-api",
                logStream: "2026/11/27/[$LATEST]6f1c2a", timestamp: ago(41), ingestionTime: ago(40),
                message: "ERROR Payment provider timed out after 3000 ms (order 81723)\n"),
            // Markup in the data must show as text, never become elements.
            LogEvent(
                id: "37134448277055041113838779985472138471712856447955505154", logGroup: "/aws/lambda/orders-api",
                logStream: "2026/11/27/[$LATEST]6f1c2a", timestamp: ago(40), ingestionTime: ago(39),
                message: "WARN rejected input <img src=x onerror=alert(1)><script>alert(2)</script>\n"),
        ])
    }

    var activity: ActivityData {
        func actor(_ type: String, _ name: String?) -> ActivityEvent.Actor {
            .init(
                type: type, userName: name, arn: name.map { "arn:aws:iam::123456789012:user/\($0)" },
                accessKeyId: "AKIAIOSFODNN7EXAMPLE", principalId: "AIDACKCEVSQ6C2EXAMPLE")
        }
        return ActivityData(events: [
            ActivityEvent(
                id: "0b1c2d3e-1111-2222-3333-444455556666", time: ago(600), eventSource: "ec2.amazonaws.com",
                eventName: "DescribeInstances", readOnly: true, errorCode: nil, errorMessage: nil, who: actor("IAMUser", "alice"),
                awsRegion: "eu-west-1", sourceIPAddress: "203.0.113.7", userAgent: "aws-cli/2.15.30", resources: []),
            ActivityEvent(
                id: "1c2d3e4f-1111-2222-3333-444455556666", time: ago(420), eventSource: "ec2.amazonaws.com",
                eventName: "RunInstances", readOnly: false, errorCode: nil, errorMessage: nil, who: actor("IAMUser", "alice"),
                awsRegion: "eu-west-1", sourceIPAddress: "203.0.113.7", userAgent: "aws-cli/2.15.30",
                resources: [.init(type: "AWS::EC2::Instance", name: "i-0abc123def4567890")]),
            ActivityEvent(
                id: "2d3e4f5a-1111-2222-3333-444455556666", time: ago(300), eventSource: "s3.amazonaws.com",
                eventName: "DeleteBucketPolicy", readOnly: false, errorCode: "AccessDenied",
                errorMessage: "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:DeleteBucketPolicy",
                who: actor("IAMUser", "bob"), awsRegion: "eu-west-1", sourceIPAddress: "198.51.100.23",
                userAgent: "Boto3/1.34.0", resources: [.init(type: "AWS::S3::Bucket", name: "orders-archive")]),
            ActivityEvent(
                id: "3e4f5a6b-1111-2222-3333-444455556666", time: ago(120), eventSource: "signin.amazonaws.com",
                eventName: "ConsoleLogin", readOnly: false, errorCode: nil, errorMessage: nil,
                who: .init(
                    type: "Root", userName: nil, arn: "arn:aws:iam::123456789012:root", accessKeyId: nil,
                    principalId: "123456789012"),
                awsRegion: "us-east-1", sourceIPAddress: "192.0.2.44", userAgent: "Mozilla/5.0", resources: []),
        ])
    }

    var costs: CostsData {
        let day = 86_400.0
        let today = String(ISO8601.string(from: now).prefix(10))
        let days = (0..<26).map { index -> CostsData.Day in
            let date = String(ISO8601.string(from: now.addingTimeInterval(Double(index - 26) * day)).prefix(10))
            return .init(date: date, amount: 38.2 + Double(index % 7) * 2.15, estimated: index >= 24)
        }
        return CostsData(
            start: days[0].date, end: today, currency: "USD", total: 1234.56,
            estimated: true, byDay: days, groupBy: "SERVICE",
            byGroup: [
                .init(key: "Amazon Elastic Compute Cloud - Compute", amount: 612.4),
                .init(key: "Amazon Relational Database Service", amount: 301.17),
                .init(key: "Amazon Simple Storage Service", amount: 118.92),
                .init(key: "AWS Lambda", amount: 87.33),
                .init(key: "Amazon CloudWatch", amount: 64.1),
                .init(key: "Tax", amount: 50.64),
            ],
            forecast: .init(
                amount: 1450.0, start: today, end: String(ISO8601.string(from: now.addingTimeInterval(4 * day)).prefix(10))))
    }

    var security: SecurityData {
        func finding(_ control: String, _ title: String, _ label: String, _ score: Double, _ resource: String, updated: Double)
            -> SecurityFinding
        {
            SecurityFinding(
                id: "arn:aws:securityhub:eu-west-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/"
                    + "\(control)/finding/\(control.lowercased())-1",
                title: "\(control) \(title)", severity: .init(label: label, score: score), workflowStatus: "NEW",
                recordState: "ACTIVE", product: "Security Hub",
                generator: "aws-foundational-security-best-practices/v/1.0.0/\(control)", account: "123456789012",
                region: "eu-west-1", complianceStatus: "FAILED",
                resources: [.init(type: "AwsS3Bucket", id: resource, region: "eu-west-1")], createdAt: ago(86_400 * 6),
                updatedAt: ago(updated))
        }
        return SecurityData(findings: [
            finding(
                "IAM.6", "Hardware MFA should be enabled for the root user", "CRITICAL", 90, "AWS::::Account:123456789012",
                updated: 900),
            finding(
                "S3.1", "S3 general purpose buckets should have block public access enabled", "HIGH", 70,
                "arn:aws:s3:::orders-archive", updated: 700),
            finding(
                "EC2.19", "Security groups should not allow unrestricted access to high-risk ports", "MEDIUM", 40,
                "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0f1e2d3c", updated: 500),
            finding(
                "CloudTrail.5", "CloudTrail trails should be integrated with CloudWatch Logs", "LOW", 10,
                "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main", updated: 300),
        ])
    }

    var health: HealthData {
        HealthData(events: [
            HealthEvent(
                arn: "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_7F3A1",
                service: "EC2", typeCode: "AWS_EC2_OPERATIONAL_ISSUE", category: "issue", region: "eu-west-1",
                availabilityZone: "euw1-az2", startTime: ago(3_600), endTime: nil, lastUpdatedTime: ago(900), status: "open",
                scope: "PUBLIC"),
            HealthEvent(
                arn: "arn:aws:health:eu-west-1::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/AWS_RDS_MAINTENANCE_SCHEDULED_91C",
                service: "RDS", typeCode: "AWS_RDS_MAINTENANCE_SCHEDULED", category: "scheduledChange", region: "eu-west-1",
                availabilityZone: nil, startTime: ago(-86_400 * 3), endTime: nil, lastUpdatedTime: ago(7_200),
                status: "upcoming", scope: "ACCOUNT_SPECIFIC"),
        ])
    }

    /// AWS Health without a Business support plan, as the worker reports it: unavailable since a
    /// minute ago, tried again in an hour.
    var healthUnavailable: StreamStateData {
        StreamStateData(
            state: "unavailable", since: ago(60), operation: "DescribeEvents", code: "SubscriptionRequiredException",
            message: "The AWS Premium Support subscription is required to use this service.", retryAt: ago(-3_600))
    }

    /// Throttled polls: degraded, tried again on schedule.
    var healthDegraded: StreamStateData {
        StreamStateData(
            state: "degraded", since: ago(5), operation: "DescribeEvents", code: "ThrottlingException", message: "Rate exceeded")
    }

    /// Recovered.
    var healthLive: StreamStateData { StreamStateData(state: "live", since: ago(0)) }

    /// Each stream's data encoded once, in the order the page lists them.
    func encoded() throws -> [(stream: StreamName, json: [UInt8])] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [
            (.metrics, Array(try encoder.encode(metrics))),
            (.logs, Array(try encoder.encode(logs))),
            (.activity, Array(try encoder.encode(activity))),
            (.costs, Array(try encoder.encode(costs))),
            (.security, Array(try encoder.encode(security))),
            (.health, Array(try encoder.encode(health))),
        ]
    }
}
