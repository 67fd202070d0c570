/// The bundled demo captures: response bodies as AWS sends them, with `{{placeholders}}` that
/// ``DemoResponder`` fills from the clock at serve time (times, ids, values). They are Swift
/// string literals, not resource files, so they ship inside the binary wherever it is copied.
///
/// Shapes follow the shipped captures in `Tests/Captures` (CloudWatch query/XML, Logs,
/// CloudTrail, Cost Explorer and Health JSON 1.1, Security Hub REST-JSON, STS query/XML).
public enum DemoCaptures {
    /// The demo account and region stamped on every resource.
    public static let account = "123456789012"

    // MARK: STS

    static let getCallerIdentity = #"""
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::{{account}}:assumed-role/aws-realtime-demo/demo</Arn><UserId>AROADEMODEMODEMODEMO:demo</UserId><Account>{{account}}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></GetCallerIdentityResponse>
        """#

    static let assumeRole = #"""
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>{{accessKeyId}}</AccessKeyId><SecretAccessKey>{{secretAccessKey}}</SecretAccessKey><SessionToken>{{sessionToken}}</SessionToken><Expiration>{{expiration}}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROADEMODEMODEMODEMO:{{sessionName}}</AssumedRoleId><Arn>arn:aws:sts::{{account}}:assumed-role/{{roleName}}/{{sessionName}}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></AssumeRoleResponse>
        """#

    // MARK: CloudWatch

    static let listMetrics = #"""
        <ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult><Metrics>{{members}}</Metrics></ListMetricsResult><ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></ListMetricsResponse>
        """#

    static let listMetricsMember = #"""
        <member><Namespace>{{namespace}}</Namespace><MetricName>{{name}}</MetricName><Dimensions><member><Name>{{dimensionName}}</Name><Value>{{dimensionValue}}</Value></member></Dimensions></member>
        """#

    static let getMetricData = #"""
        <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults>{{results}}</MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></GetMetricDataResponse>
        """#

    static let getMetricDataResult = #"""
        <member><Id>{{id}}</Id><Label>{{label}}</Label><Timestamps>{{timestamps}}</Timestamps><Values>{{values}}</Values><StatusCode>Complete</StatusCode></member>
        """#

    /// One demo metric: where it lives and how its value moves (a slow wave plus noise).
    struct Metric: Sendable {
        var namespace: String
        var name: String
        var dimensionName: String
        var dimensionValue: String
        var base: Double
        var amplitude: Double
        var noise: Double
        var isWhole = false
    }

    /// What ListMetrics finds: a small web shop (two instances, a load balancer, a Lambda
    /// function, a database and a queue).
    static let metrics: [Metric] = [
        Metric(
            namespace: "AWS/EC2", name: "CPUUtilization", dimensionName: "InstanceId", dimensionValue: "i-0a1b2c3d4e5f60001",
            base: 42, amplitude: 18, noise: 6),
        Metric(
            namespace: "AWS/EC2", name: "CPUUtilization", dimensionName: "InstanceId", dimensionValue: "i-0a1b2c3d4e5f60002",
            base: 27, amplitude: 12, noise: 5),
        Metric(
            namespace: "AWS/EC2", name: "NetworkIn", dimensionName: "InstanceId", dimensionValue: "i-0a1b2c3d4e5f60001",
            base: 48_000_000, amplitude: 20_000_000, noise: 6_000_000, isWhole: true),
        Metric(
            namespace: "AWS/EC2", name: "NetworkOut", dimensionName: "InstanceId", dimensionValue: "i-0a1b2c3d4e5f60001",
            base: 91_000_000, amplitude: 35_000_000, noise: 9_000_000, isWhole: true),
        Metric(
            namespace: "AWS/ApplicationELB", name: "RequestCount", dimensionName: "LoadBalancer",
            dimensionValue: "app/shop-alb/50dc6c495c0c9188", base: 5400, amplitude: 2600, noise: 700, isWhole: true),
        Metric(
            namespace: "AWS/ApplicationELB", name: "TargetResponseTime", dimensionName: "LoadBalancer",
            dimensionValue: "app/shop-alb/50dc6c495c0c9188", base: 0.18, amplitude: 0.07, noise: 0.03),
        Metric(
            namespace: "AWS/ApplicationELB", name: "HTTPCode_Target_5XX_Count", dimensionName: "LoadBalancer",
            dimensionValue: "app/shop-alb/50dc6c495c0c9188", base: 4, amplitude: 3, noise: 3, isWhole: true),
        Metric(
            namespace: "AWS/Lambda", name: "Invocations", dimensionName: "FunctionName", dimensionValue: "orders-api",
            base: 1200, amplitude: 500, noise: 150, isWhole: true),
        Metric(
            namespace: "AWS/Lambda", name: "Errors", dimensionName: "FunctionName", dimensionValue: "orders-api",
            base: 6, amplitude: 4, noise: 3, isWhole: true),
        Metric(
            namespace: "AWS/Lambda", name: "Duration", dimensionName: "FunctionName", dimensionValue: "orders-api",
            base: 180, amplitude: 60, noise: 25),
        Metric(
            namespace: "AWS/RDS", name: "CPUUtilization", dimensionName: "DBInstanceIdentifier", dimensionValue: "shop-db",
            base: 35, amplitude: 15, noise: 4),
        Metric(
            namespace: "AWS/RDS", name: "DatabaseConnections", dimensionName: "DBInstanceIdentifier", dimensionValue: "shop-db",
            base: 64, amplitude: 22, noise: 6, isWhole: true),
        Metric(
            namespace: "AWS/SQS", name: "ApproximateNumberOfMessagesVisible", dimensionName: "QueueName",
            dimensionValue: "order-events", base: 40, amplitude: 35, noise: 10, isWhole: true),
    ]

    // MARK: CloudWatch Logs

    static let filterLogEvents = #"""
        {"events":[{{events}}],"searchedLogStreams":[{"logStreamName":"{{logStream}}","searchedCompletely":true}]}
        """#

    static let filterLogEventsEvent = #"""
        {"eventId":"{{eventId}}","ingestionTime":{{ingestionTime}},"logStreamName":"{{logStream}}","message":"{{message}}","timestamp":{{timestamp}}}
        """#

    /// Log lines, chosen in turn; `{{n}}`, `{{ms}}`, `{{requestId}}` vary per event.
    static let logMessages = [
        "START RequestId: {{requestId}} Version: $LATEST",
        "INFO order {{n}} accepted (3 items, total 58.20 EUR)",
        "INFO payment authorised for order {{n}} in {{ms}} ms",
        "WARN inventory lookup slow: {{ms}} ms for sku-{{n}}",
        "INFO order {{n}} queued to order-events",
        "ERROR order {{n}} failed: downstream timeout after {{ms}} ms",
        "END RequestId: {{requestId}}",
        "REPORT RequestId: {{requestId}} Duration: {{ms}}.42 ms Billed Duration: {{ms}} ms Memory Size: 512 MB Max Memory Used: 143 MB",
    ]

    // MARK: CloudTrail

    static let lookupEvents = #"""
        {"Events":[{{events}}]}
        """#

    static let lookupEventsEvent = #"""
        {"EventId":"{{eventId}}","EventName":"{{eventName}}","ReadOnly":"{{readOnly}}","AccessKeyId":"ASIADEMODEMODEMODEMO","EventTime":{{eventTime}},"EventSource":"{{eventSource}}","Username":"{{username}}","Resources":[{"ResourceType":"{{resourceType}}","ResourceName":"{{resourceName}}"}],"CloudTrailEvent":"{{cloudTrailEvent}}"}
        """#

    /// The `CloudTrailEvent` JSON document, embedded as a string in the event above.
    static let cloudTrailRecord = #"""
        {"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROADEMODEMODEMODEMO:{{username}}","arn":"arn:aws:sts::{{account}}:assumed-role/{{role}}/{{username}}","accountId":"{{account}}","accessKeyId":"ASIADEMODEMODEMODEMO"},"eventTime":"{{eventTimeISO}}","eventSource":"{{eventSource}}","eventName":"{{eventName}}","awsRegion":"{{region}}","sourceIPAddress":"{{sourceIP}}","userAgent":"aws-cli/2.22.0","requestParameters":{"resource":"{{resourceName}}"},"responseElements":null,"requestID":"{{requestId}}","eventID":"{{eventId}}","readOnly":{{readOnly}},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{{account}}"}
        """#

    /// CloudTrail activities, chosen in turn.
    struct Activity: Sendable {
        var eventName: String
        var eventSource: String
        var username: String
        var role: String
        var resourceType: String
        var resourceName: String
        var isReadOnly: Bool
        var sourceIP: String
    }

    static let activities: [Activity] = [
        Activity(
            eventName: "RunInstances", eventSource: "ec2.amazonaws.com", username: "deploy-bot", role: "ci-deployer",
            resourceType: "AWS::EC2::Instance", resourceName: "i-0a1b2c3d4e5f6{{n}}", isReadOnly: false,
            sourceIP: "203.0.113.24"),
        Activity(
            eventName: "PutObject", eventSource: "s3.amazonaws.com", username: "orders-api", role: "orders-api-lambda",
            resourceType: "AWS::S3::Object", resourceName: "shop-invoices/2026/invoice-{{n}}.pdf", isReadOnly: false,
            sourceIP: "10.0.12.7"),
        Activity(
            eventName: "DescribeDBInstances", eventSource: "rds.amazonaws.com", username: "alice", role: "Administrator",
            resourceType: "AWS::RDS::DBInstance", resourceName: "shop-db", isReadOnly: true, sourceIP: "198.51.100.17"),
        Activity(
            eventName: "UpdateFunctionConfiguration20150331v2", eventSource: "lambda.amazonaws.com", username: "deploy-bot",
            role: "ci-deployer", resourceType: "AWS::Lambda::Function", resourceName: "orders-api", isReadOnly: false,
            sourceIP: "203.0.113.24"),
        Activity(
            eventName: "AuthorizeSecurityGroupIngress", eventSource: "ec2.amazonaws.com", username: "bob", role: "Developer",
            resourceType: "AWS::EC2::SecurityGroup", resourceName: "sg-0f1e2d3c4b5a6{{n}}", isReadOnly: false,
            sourceIP: "192.0.2.55"),
        Activity(
            eventName: "AssumeRole", eventSource: "sts.amazonaws.com", username: "alice", role: "Administrator",
            resourceType: "AWS::IAM::Role", resourceName: "arn:aws:iam::123456789012:role/Administrator", isReadOnly: true,
            sourceIP: "198.51.100.17"),
    ]

    // MARK: Security Hub

    static let getFindings = #"""
        {"Findings":[{{findings}}]}
        """#

    static let finding = #"""
        {"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:{{region}}:{{account}}:subscription/aws-foundational-security-best-practices/v/1.0.0/{{control}}/finding/{{findingId}}","ProductArn":"arn:aws:securityhub:{{region}}::product/aws/securityhub","GeneratorId":"aws-foundational-security-best-practices/v/1.0.0/{{control}}","AwsAccountId":"{{account}}","Region":"{{region}}","Types":["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"],"FirstObservedAt":"{{updatedAt}}","CreatedAt":"{{updatedAt}}","UpdatedAt":"{{updatedAt}}","Severity":{"Label":"{{severity}}","Normalized":{{normalized}}},"Title":"{{title}}","Description":"{{title}}.","Resources":[{"Type":"{{resourceType}}","Id":"{{resourceId}}","Region":"{{region}}"}],"Compliance":{"Status":"FAILED"},"Workflow":{"Status":"NEW"},"RecordState":"ACTIVE"}
        """#

    struct Finding: Sendable {
        var control: String
        var severity: String
        var normalized: Int
        var title: String
        var resourceType: String
        var resourceId: String
    }

    static let findings: [Finding] = [
        Finding(
            control: "EC2.19", severity: "HIGH", normalized: 70,
            title: "Security groups should not allow unrestricted access to ports with high risk",
            resourceType: "AwsEc2SecurityGroup",
            resourceId: "arn:aws:ec2:{{region}}:{{account}}:security-group/sg-0f1e2d3c4b5a6{{n}}"),
        Finding(
            control: "S3.8", severity: "MEDIUM", normalized: 40, title: "S3 general purpose buckets should block public access",
            resourceType: "AwsS3Bucket", resourceId: "arn:aws:s3:::shop-uploads-{{n}}"),
        Finding(
            control: "IAM.6", severity: "CRITICAL", normalized: 90, title: "Hardware MFA should be enabled for the root user",
            resourceType: "AwsAccount", resourceId: "AWS::::Account:{{account}}"),
        Finding(
            control: "RDS.3", severity: "MEDIUM", normalized: 40,
            title: "RDS DB instances should have encryption at-rest enabled",
            resourceType: "AwsRdsDbInstance", resourceId: "arn:aws:rds:{{region}}:{{account}}:db:shop-db-replica-{{n}}"),
        Finding(
            control: "Lambda.2", severity: "LOW", normalized: 1, title: "Lambda functions should use supported runtimes",
            resourceType: "AwsLambdaFunction", resourceId: "arn:aws:lambda:{{region}}:{{account}}:function:report-{{n}}"),
    ]

    // MARK: AWS Health

    static let describeEvents = #"""
        {"events":[{{events}}]}
        """#

    static let healthEvent = #"""
        {"arn":"arn:aws:health:{{eventRegion}}::event/{{service}}/{{eventTypeCode}}/{{eventTypeCode}}_DEMO_{{n}}","service":"{{service}}","eventTypeCode":"{{eventTypeCode}}","eventTypeCategory":"{{category}}","region":"{{eventRegion}}","startTime":{{startTime}},{{endTimeMember}}"lastUpdatedTime":{{lastUpdatedTime}},"statusCode":"{{status}}","eventScopeCode":"{{scope}}"}
        """#

    struct HealthEvent: Sendable {
        var service: String
        var eventTypeCode: String
        var category: String
        var status: String
        var scope: String
    }

    static let healthEvents: [HealthEvent] = [
        HealthEvent(
            service: "EC2", eventTypeCode: "AWS_EC2_OPERATIONAL_ISSUE", category: "issue", status: "open", scope: "PUBLIC"),
        HealthEvent(
            service: "RDS", eventTypeCode: "AWS_RDS_MAINTENANCE_SCHEDULED", category: "scheduledChange", status: "upcoming",
            scope: "ACCOUNT_SPECIFIC"),
        HealthEvent(
            service: "LAMBDA", eventTypeCode: "AWS_LAMBDA_OPERATIONAL_ISSUE", category: "issue", status: "closed", scope: "PUBLIC"
        ),
        HealthEvent(
            service: "BILLING", eventTypeCode: "AWS_BILLING_NOTIFICATION", category: "accountNotification", status: "open",
            scope: "ACCOUNT_SPECIFIC"),
    ]

    // MARK: Cost Explorer

    static let getCostAndUsage = #"""
        {"GroupDefinitions":[{"Type":"{{groupType}}","Key":"{{groupKey}}"}],"ResultsByTime":[{{days}}],"DimensionValueAttributes":[]}
        """#

    static let costDay = #"""
        {"TimePeriod":{"Start":"{{start}}","End":"{{end}}"},"Total":{},"Groups":[{{groups}}],"Estimated":{{estimated}}}
        """#

    static let costGroup = #"""
        {"Keys":["{{key}}"],"Metrics":{"{{metric}}":{"Amount":"{{amount}}","Unit":"USD"}}}
        """#

    static let getCostForecast = #"""
        {"Total":{"Amount":"{{total}}","Unit":"USD"},"ForecastResultsByTime":[{"TimePeriod":{"Start":"{{start}}","End":"{{end}}"},"MeanValue":"{{total}}","PredictionIntervalLowerBound":"{{lower}}","PredictionIntervalUpperBound":"{{upper}}"}]}
        """#

    /// Daily spend per service, in dollars, before the day-to-day wave.
    static let dailyCosts: [(service: String, dollars: Double)] = [
        ("Amazon Elastic Compute Cloud - Compute", 18.4),
        ("Amazon Relational Database Service", 9.7),
        ("Amazon Simple Storage Service", 2.3),
        ("Elastic Load Balancing", 1.9),
        ("AWS Lambda", 1.1),
        ("Amazon CloudWatch", 0.9),
        ("Amazon Simple Queue Service", 0.4),
    ]
}
