import AWSCore
import Foundation

/// A `FilterLogEvents` search of one log group.
public struct FilterLogEventsInput: Sendable, Hashable {
    public var logGroup: LogGroup
    /// At most 100 stream names; empty searches every stream.
    public var logStreamNames: [String]
    public var logStreamNamePrefix: String?
    /// CloudWatch Logs filter pattern syntax; `nil` matches every event.
    public var filterPattern: String?
    /// Events at or after this time (sent as epoch milliseconds).
    public var startTime: Date?
    /// Events at or before this time (sent as epoch milliseconds).
    public var endTime: Date?
    /// The most events per page (1 to 10,000; CloudWatch's default is 10,000).
    public var limit: Int?

    public init(
        logGroup: LogGroup, logStreamNames: [String] = [], logStreamNamePrefix: String? = nil, filterPattern: String? = nil,
        startTime: Date? = nil, endTime: Date? = nil, limit: Int? = nil
    ) {
        self.logGroup = logGroup
        self.logStreamNames = logStreamNames
        self.logStreamNamePrefix = logStreamNamePrefix
        self.filterPattern = filterPattern
        self.startTime = startTime
        self.endTime = endTime
        self.limit = limit
    }

    /// The log group: by name, or by name or ARN as `logGroupIdentifier` (cross-account).
    public struct LogGroup: Sendable, Hashable {
        let member: String
        let value: String

        public static func name(_ name: String) -> LogGroup { LogGroup(member: "logGroupName", value: name) }
        public static func identifier(_ nameOrARN: String) -> LogGroup {
            LogGroup(member: "logGroupIdentifier", value: nameOrARN)
        }
    }

    func jsonInput(nextToken: String?) -> JSONValue {
        var members: JSONValueObject = [logGroup.member: .string(logGroup.value)]
        if !logStreamNames.isEmpty { members["logStreamNames"] = .array(logStreamNames.map(JSONValue.string)) }
        if let logStreamNamePrefix { members["logStreamNamePrefix"] = .string(logStreamNamePrefix) }
        if let filterPattern { members["filterPattern"] = .string(filterPattern) }
        if let startTime { members["startTime"] = .epochMilliseconds(startTime) }
        if let endTime { members["endTime"] = .epochMilliseconds(endTime) }
        if let limit { members["limit"] = .integer(Int64(limit)) }
        if let nextToken { members["nextToken"] = .string(nextToken) }
        return .object(members)
    }
}

/// A log event that matched.
public struct FilteredLogEvent: Sendable, Hashable {
    public var eventId: String
    public var logStreamName: String?
    /// When the event happened (epoch milliseconds on the wire).
    public var timestamp: Date
    /// When CloudWatch Logs received it.
    public var ingestionTime: Date?
    public var message: String
    /// The wire values, exact: `timestamp` in epoch milliseconds.
    public var timestampMilliseconds: Int64
    public var ingestionTimeMilliseconds: Int64?
}

extension FilteredLogEvent: AWSListItem {
    public static var idMember: String { "eventId" }
    public static var listMember: String { "events" }
    public static var nextTokenMember: String { "nextToken" }
}

extension FilteredLogEvent: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        eventId = try container.optional("eventId") ?? ""
        logStreamName = try container.optional("logStreamName")
        (timestampMilliseconds, timestamp) = try Self.time("timestamp", in: container) ?? (0, Date(timeIntervalSince1970: 0))
        let ingestion = try Self.time("ingestionTime", in: container)
        ingestionTimeMilliseconds = ingestion?.milliseconds
        ingestionTime = ingestion?.date
        message = try container.optional("message") ?? ""
    }

    /// An epoch-milliseconds member, refused outside 1970 to 9999.
    private static func time(
        _ name: String, in container: KeyedDecodingContainer<AWSCodingKey>
    ) throws -> (milliseconds: Int64, date: Date)? {
        guard let milliseconds = try container.optional(name, as: Int64.self) else { return nil }
        guard let date = AWSTimestamp.date(millisecondsSince1970: milliseconds) else {
            throw DecodingError.dataCorruptedError(
                forKey: AWSCodingKey(name), in: container, debugDescription: AWSTimestamp.outOfRange(milliseconds))
        }
        return (milliseconds, date)
    }
}

/// One page of `FilterLogEvents` (`searchedLogStreams` is deprecated and ignored).
public typealias FilterLogEventsPage = AWSListPage<FilteredLogEvent>

/// Every matching event of a `FilterLogEvents` call, in the order the pages gave them.
public struct FilterLogEventsOutput: Sendable, Hashable {
    public var events: [FilteredLogEvent]
    /// Requests made (pages read; pages may be empty while CloudWatch Logs searches on).
    public var pages: Int
}
