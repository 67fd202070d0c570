/// `aws-logs` data: log events newer than the stream's cursor, oldest first.
public struct LogsData: Codable, Sendable, Equatable {
    public var events: [LogEvent]

    public init(events: [LogEvent]) {
        self.events = events
    }
}

public struct LogEvent: Codable, Sendable, Equatable {
    /// CloudWatch Logs' event id (unique per log group).
    public var id: String
    public var logGroup: String
    public var logStream: String
    /// When the event happened (ISO-8601).
    public var timestamp: String
    /// When CloudWatch Logs received it (ISO-8601).
    public var ingestionTime: String?
    public var message: String

    public init(id: String, logGroup: String, logStream: String, timestamp: String, ingestionTime: String?, message: String) {
        self.id = id
        self.logGroup = logGroup
        self.logStream = logStream
        self.timestamp = timestamp
        self.ingestionTime = ingestionTime
        self.message = message
    }
}
