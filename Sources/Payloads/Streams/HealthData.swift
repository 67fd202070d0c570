/// `aws-health` data: AWS Health events updated since the cursor, oldest update first.
public struct HealthData: Codable, Sendable, Equatable {
    public var events: [HealthEvent]

    public init(events: [HealthEvent]) {
        self.events = events
    }
}

public struct HealthEvent: Codable, Sendable, Equatable {
    public var arn: String
    public var service: String
    public var typeCode: String
    /// `issue`, `accountNotification`, `scheduledChange`, `investigation`.
    public var category: String
    public var region: String?
    public var availabilityZone: String?
    public var startTime: String?
    public var endTime: String?
    public var lastUpdatedTime: String
    /// `open`, `closed`, `upcoming`.
    public var status: String
    /// `PUBLIC`, `ACCOUNT_SPECIFIC`, `NONE`.
    public var scope: String?

    public init(
        arn: String, service: String, typeCode: String, category: String, region: String?, availabilityZone: String?,
        startTime: String?, endTime: String?, lastUpdatedTime: String, status: String, scope: String?
    ) {
        self.arn = arn
        self.service = service
        self.typeCode = typeCode
        self.category = category
        self.region = region
        self.availabilityZone = availabilityZone
        self.startTime = startTime
        self.endTime = endTime
        self.lastUpdatedTime = lastUpdatedTime
        self.status = status
        self.scope = scope
    }
}
