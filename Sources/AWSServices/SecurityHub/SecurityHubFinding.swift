import AWSCore
import Foundation

/// A finding in the AWS Security Finding Format (ASFF): the fields the `aws-security` stream
/// uses. Timestamps are ISO-8601 strings on the wire.
public struct SecurityHubFinding: Sendable, Hashable {
    public var id: String
    public var productArn: String?
    public var productName: String?
    public var generatorId: String?
    public var awsAccountId: String?
    public var region: String?
    public var title: String?
    public var description: String?
    public var severity: Severity?
    /// `NEW`, `NOTIFIED`, `RESOLVED`, `SUPPRESSED`.
    public var workflowStatus: String?
    /// Deprecated by `Workflow.Status`, still sent.
    public var workflowState: String?
    /// `ACTIVE` or `ARCHIVED`.
    public var recordState: String?
    /// `PASSED`, `WARNING`, `FAILED`, `NOT_AVAILABLE`.
    public var complianceStatus: String?
    public var resources: [Resource]
    public var createdAt: Date?
    public var updatedAt: Date?
    public var firstObservedAt: Date?
    public var lastObservedAt: Date?
    /// When Security Hub received and processed the finding (`ProcessedAt`).
    public var processedAt: Date?

    public struct Severity: Sendable, Hashable, Decodable {
        /// `INFORMATIONAL`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`.
        public var label: String?
        /// 0 to 100.
        public var normalized: Int?
        /// The product's own severity, as text.
        public var original: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            label = try container.optional("Label")
            normalized =
                container.lenient("Normalized", as: Int.self)
                ?? container.lenient("Normalized", as: Double.self).flatMap { Int(exactly: $0.rounded(.towardZero)) }
            original = try container.text("Original")
        }
    }

    public struct Resource: Sendable, Hashable, Decodable {
        public var type: String?
        public var id: String?
        public var partition: String?
        public var region: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            type = try container.optional("Type")
            id = try container.optional("Id")
            partition = try container.optional("Partition")
            region = try container.optional("Region")
        }
    }

    private struct Status: Decodable {
        var status: String?

        init(from decoder: any Decoder) throws {
            status = try decoder.container(keyedBy: AWSCodingKey.self).optional("Status")
        }
    }
}

extension SecurityHubFinding: AWSListItem {
    public static var idMember: String { "Id" }
    public static var listMember: String { "Findings" }
    public static var nextTokenMember: String { "NextToken" }
}

extension SecurityHubFinding: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        id = try container.optional("Id") ?? ""
        productArn = try container.optional("ProductArn")
        productName = try container.optional("ProductName")
        generatorId = try container.optional("GeneratorId")
        awsAccountId = try container.optional("AwsAccountId")
        region = try container.optional("Region")
        title = try container.optional("Title")
        description = try container.optional("Description")
        severity = try container.optional("Severity")
        workflowStatus = try container.optional("Workflow", as: Status.self)?.status
        workflowState = try container.optional("WorkflowState")
        recordState = try container.optional("RecordState")
        complianceStatus = try container.optional("Compliance", as: Status.self)?.status
        resources = try container.list("Resources")
        createdAt = try container.optional("CreatedAt")
        updatedAt = try container.optional("UpdatedAt")
        firstObservedAt = try container.optional("FirstObservedAt")
        lastObservedAt = try container.optional("LastObservedAt")
        processedAt = try container.optional("ProcessedAt")
    }
}

/// One page of `GetFindings`.
public typealias GetFindingsPage = AWSListPage<SecurityHubFinding>

/// Every finding of a `GetFindings` call, in the order of the pages.
public struct GetFindingsOutput: Sendable, Hashable {
    public var findings: [SecurityHubFinding]
    public var pages: Int
}
