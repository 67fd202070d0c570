/// `aws-activity` data: CloudTrail management events newer than the cursor, oldest first.
public struct ActivityData: Codable, Sendable, Equatable {
    public var events: [ActivityEvent]

    public init(events: [ActivityEvent]) {
        self.events = events
    }
}

public struct ActivityEvent: Codable, Sendable, Equatable {
    public var id: String
    /// When the call was made (ISO-8601).
    public var time: String
    /// What: the API call.
    public var eventSource: String
    public var eventName: String
    public var readOnly: Bool?
    public var errorCode: String?
    public var errorMessage: String?
    /// Who made it.
    public var who: Actor
    /// Where from.
    public var awsRegion: String?
    public var sourceIPAddress: String?
    public var userAgent: String?
    /// What it touched.
    public var resources: [Resource]

    public struct Actor: Codable, Sendable, Equatable {
        /// `IAMUser`, `AssumedRole`, `Root`, `AWSService`, ...
        public var type: String?
        public var userName: String?
        public var arn: String?
        public var accessKeyId: String?
        public var principalId: String?

        public init(type: String?, userName: String?, arn: String?, accessKeyId: String?, principalId: String?) {
            self.type = type
            self.userName = userName
            self.arn = arn
            self.accessKeyId = accessKeyId
            self.principalId = principalId
        }
    }

    public struct Resource: Codable, Sendable, Equatable {
        public var type: String?
        public var name: String?

        public init(type: String?, name: String?) {
            self.type = type
            self.name = name
        }
    }

    public init(
        id: String, time: String, eventSource: String, eventName: String, readOnly: Bool?, errorCode: String?,
        errorMessage: String?, who: Actor, awsRegion: String?, sourceIPAddress: String?, userAgent: String?, resources: [Resource]
    ) {
        self.id = id
        self.time = time
        self.eventSource = eventSource
        self.eventName = eventName
        self.readOnly = readOnly
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.who = who
        self.awsRegion = awsRegion
        self.sourceIPAddress = sourceIPAddress
        self.userAgent = userAgent
        self.resources = resources
    }
}
