/// The wire protocol an AWS service speaks.
public enum AWSWireProtocol: Sendable, Hashable {
    /// Form-encoded `Action`/`Version` POST, XML responses (CloudWatch, STS).
    case query(apiVersion: String)
    /// POST `/` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body (Logs, CloudTrail, ...).
    case json(version: String, targetPrefix: String)
    /// Operations bound to HTTP methods and paths, JSON bodies (Security Hub).
    case restJSON(operations: [String: AWSRESTBinding])
}

/// The HTTP binding of one REST-JSON operation.
public struct AWSRESTBinding: Sendable, Hashable {
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }
}

/// One AWS service as this project calls it.
public struct AWSService: Sendable, Hashable {
    /// The name the AWS CLI uses (`cloudwatch`, `logs`, `ce`, ...).
    public let cliName: String
    /// The SDK service id: `AWS_ENDPOINT_URL_<ID>` is derived from it (`Cost Explorer` → `COST_EXPLORER`).
    public let serviceID: String
    /// The SigV4 service name (CloudWatch signs as `monitoring`).
    public let signingName: String
    /// The first label of the regional host name.
    public let endpointPrefix: String
    public let wireProtocol: AWSWireProtocol
    /// Services with one global endpoint per partition (Cost Explorer, AWS Health) sign for this
    /// region whatever the caller's region is.
    public let isGlobal: Bool

    public init(
        cliName: String, serviceID: String, signingName: String, endpointPrefix: String,
        wireProtocol: AWSWireProtocol, isGlobal: Bool = false
    ) {
        self.cliName = cliName
        self.serviceID = serviceID
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.wireProtocol = wireProtocol
        self.isGlobal = isGlobal
    }

    /// `AWS_ENDPOINT_URL_<SERVICE_ID>`, as AWS SDKs derive it.
    public var endpointEnvironmentVariable: String {
        "AWS_ENDPOINT_URL_" + String(serviceID.uppercased().map { $0 == " " ? "_" : $0 })
    }
}

extension AWSService {
    public static let cloudWatch = AWSService(
        cliName: "cloudwatch", serviceID: "CloudWatch", signingName: "monitoring", endpointPrefix: "monitoring",
        wireProtocol: .query(apiVersion: "2010-08-01"))

    public static let cloudWatchLogs = AWSService(
        cliName: "logs", serviceID: "CloudWatch Logs", signingName: "logs", endpointPrefix: "logs",
        wireProtocol: .json(version: "1.1", targetPrefix: "Logs_20140328"))

    public static let cloudTrail = AWSService(
        cliName: "cloudtrail", serviceID: "CloudTrail", signingName: "cloudtrail", endpointPrefix: "cloudtrail",
        wireProtocol: .json(version: "1.1", targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"))

    public static let costExplorer = AWSService(
        cliName: "ce", serviceID: "Cost Explorer", signingName: "ce", endpointPrefix: "ce",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSInsightsIndexService"), isGlobal: true)

    public static let securityHub = AWSService(
        cliName: "securityhub", serviceID: "SecurityHub", signingName: "securityhub", endpointPrefix: "securityhub",
        wireProtocol: .restJSON(operations: [
            "GetFindings": AWSRESTBinding(method: "POST", path: "/findings"),
            "DescribeHub": AWSRESTBinding(method: "GET", path: "/accounts"),
            "GetEnabledStandards": AWSRESTBinding(method: "POST", path: "/standards/get"),
            "ListEnabledProductsForImport": AWSRESTBinding(method: "GET", path: "/productSubscriptions"),
        ]))

    public static let health = AWSService(
        cliName: "health", serviceID: "Health", signingName: "health", endpointPrefix: "health",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSHealth_20160804"), isGlobal: true)

    public static let sts = AWSService(
        cliName: "sts", serviceID: "STS", signingName: "sts", endpointPrefix: "sts",
        wireProtocol: .query(apiVersion: "2011-06-15"))

    /// The IAM Identity Center portal (`portal.sso.<region>.amazonaws.com`): `GetRoleCredentials`
    /// takes the `aws sso login` access token in a header and is never signed, so it is not in
    /// ``all`` (which `aws-realtime call` offers to sign for).
    public static let ssoPortal = AWSService(
        cliName: "sso", serviceID: "SSO", signingName: "awsssoportal", endpointPrefix: "portal.sso",
        wireProtocol: .restJSON(operations: [
            "GetRoleCredentials": AWSRESTBinding(method: "GET", path: "/federation/credentials")
        ]))

    /// Every service the project signs calls for.
    public static let all: [AWSService] = [cloudWatch, cloudWatchLogs, cloudTrail, costExplorer, securityHub, health, sts]

    /// The service the AWS CLI calls `cliName`.
    public static func named(_ cliName: String) -> AWSService? {
        all.first { $0.cliName == cliName }
    }
}
