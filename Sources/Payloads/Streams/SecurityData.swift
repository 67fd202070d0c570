/// `aws-security` data: Security Hub findings updated since the cursor, oldest update first.
public struct SecurityData: Codable, Sendable, Equatable {
    public var findings: [SecurityFinding]

    public init(findings: [SecurityFinding]) {
        self.findings = findings
    }
}

public struct SecurityFinding: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var severity: Severity
    /// `NEW`, `NOTIFIED`, `RESOLVED`, `SUPPRESSED`.
    public var workflowStatus: String?
    /// `ACTIVE` or `ARCHIVED`.
    public var recordState: String?
    public var product: String?
    public var generator: String?
    public var account: String?
    public var region: String?
    /// `PASSED`, `WARNING`, `FAILED`, `NOT_AVAILABLE`.
    public var complianceStatus: String?
    public var resources: [Resource]
    public var createdAt: String
    public var updatedAt: String

    public struct Severity: Codable, Sendable, Equatable {
        /// `INFORMATIONAL`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`.
        public var label: String
        /// 0-100.
        public var score: Double?

        public init(label: String, score: Double?) {
            self.label = label
            self.score = score
        }
    }

    public struct Resource: Codable, Sendable, Equatable {
        public var type: String
        public var id: String
        public var region: String?

        public init(type: String, id: String, region: String?) {
            self.type = type
            self.id = id
            self.region = region
        }
    }

    public init(
        id: String, title: String, severity: Severity, workflowStatus: String?, recordState: String?, product: String?,
        generator: String?, account: String?, region: String?, complianceStatus: String?, resources: [Resource],
        createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.workflowStatus = workflowStatus
        self.recordState = recordState
        self.product = product
        self.generator = generator
        self.account = account
        self.region = region
        self.complianceStatus = complianceStatus
        self.resources = resources
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
