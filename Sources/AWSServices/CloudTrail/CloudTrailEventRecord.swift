import AWSCore
import Foundation

/// The CloudTrail record inside `CloudTrailEvent` (a JSON document sent as a string). Fields
/// vary by event source and version: every field is optional and one of an unexpected type is
/// left `nil` rather than failing the record.
public struct CloudTrailEventRecord: Sendable, Hashable {
    public var eventVersion: String?
    public var userIdentity: UserIdentity?
    /// ISO-8601 in the record.
    public var eventTime: Date?
    public var eventSource: String?
    public var eventName: String?
    public var awsRegion: String?
    public var sourceIPAddress: String?
    public var userAgent: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var readOnly: Bool?
    public var resources: [Resource]
    public var requestID: String?
    public var eventID: String?
    public var eventType: String?
    public var recipientAccountId: String?
    public var requestParameters: JSONValue?
    public var responseElements: JSONValue?

    /// Parses the `CloudTrailEvent` string of a `LookupEvents` event.
    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(CloudTrailEventRecord.self, from: Data(json.utf8))
        } catch {
            throw AWSError(
                kind: .malformedResponse, service: "cloudtrail", operation: "LookupEvents",
                message: "the CloudTrailEvent is not a CloudTrail record: \(AWSJSONDecoding.describe(error))", underlying: error)
        }
    }

    public struct UserIdentity: Sendable, Hashable, Decodable {
        /// `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSService`, ...
        public var type: String?
        public var principalId: String?
        public var arn: String?
        public var accountId: String?
        public var accessKeyId: String?
        public var userName: String?
        public var invokedBy: String?
        /// For assumed roles: the role's name (`sessionContext.sessionIssuer.userName`).
        public var sessionIssuerUserName: String?
        public var sessionIssuerArn: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            type = container.lenient("type")
            principalId = container.lenient("principalId")
            arn = container.lenient("arn")
            accountId = container.lenient("accountId")
            accessKeyId = container.lenient("accessKeyId")
            userName = container.lenient("userName")
            invokedBy = container.lenient("invokedBy")
            let issuer = container.lenient("sessionContext", as: SessionContext.self)?.sessionIssuer
            sessionIssuerUserName = issuer?.userName
            sessionIssuerArn = issuer?.arn
        }

        private struct SessionContext: Decodable {
            var sessionIssuer: SessionIssuer?
        }

        private struct SessionIssuer: Decodable {
            var userName: String?
            var arn: String?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: AWSCodingKey.self)
                userName = container.lenient("userName")
                arn = container.lenient("arn")
            }
        }

        /// Who acted, for display: the IAM user name, else the assumed role's name, else the ARN.
        public var displayName: String? {
            userName ?? sessionIssuerUserName ?? arn ?? principalId
        }
    }

    public struct Resource: Sendable, Hashable, Decodable {
        public var arn: String?
        public var accountId: String?
        public var type: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            arn = container.lenient("ARN")
            accountId = container.lenient("accountId")
            type = container.lenient("type")
        }
    }
}

extension CloudTrailEventRecord: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        eventVersion = container.lenient("eventVersion")
        userIdentity = container.lenient("userIdentity")
        eventTime = container.lenient("eventTime", as: String.self).flatMap(AWSTimestamp.parse)
        eventSource = container.lenient("eventSource")
        eventName = container.lenient("eventName")
        awsRegion = container.lenient("awsRegion")
        sourceIPAddress = container.lenient("sourceIPAddress")
        userAgent = container.lenient("userAgent")
        errorCode = container.lenient("errorCode")
        errorMessage = container.lenient("errorMessage")
        readOnly =
            container.lenient("readOnly", as: Bool.self) ?? container.lenient("readOnly", as: String.self).map { $0 == "true" }
        resources = container.lenient("resources", as: [Resource].self) ?? []
        requestID = container.lenient("requestID")
        eventID = container.lenient("eventID")
        eventType = container.lenient("eventType")
        recipientAccountId = container.lenient("recipientAccountId")
        requestParameters = container.lenient("requestParameters", as: JSONValue.self).flatMap { $0 == JSONValue.null ? nil : $0 }
        responseElements = container.lenient("responseElements", as: JSONValue.self).flatMap { $0 == JSONValue.null ? nil : $0 }
    }
}
