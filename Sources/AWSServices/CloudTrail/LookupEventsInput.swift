import AWSCore
import Foundation

/// A CloudTrail `LookupEvents` query of management events (the last 90 days).
public struct LookupEventsInput: Sendable, Hashable {
    public var startTime: Date?
    public var endTime: Date?
    /// CloudTrail accepts at most one attribute.
    public var lookupAttributes: [LookupAttribute]
    /// Events per page, 1 to 50 (CloudTrail's maximum and default: 50).
    public var maxResults: Int

    public static let maxResultsLimit = 50

    public init(startTime: Date? = nil, endTime: Date? = nil, lookupAttributes: [LookupAttribute] = [], maxResults: Int = 50) {
        self.startTime = startTime
        self.endTime = endTime
        self.lookupAttributes = lookupAttributes
        self.maxResults = min(max(1, maxResults), Self.maxResultsLimit)
    }

    /// An attribute to match: `EventName`, `Username`, `ResourceType`, `ResourceName`,
    /// `EventSource`, `AccessKeyId`, `ReadOnly` or `EventId`.
    public struct LookupAttribute: Sendable, Hashable {
        public var key: String
        public var value: String

        public static func eventName(_ value: String) -> Self { Self(key: "EventName", value: value) }
        public static func eventSource(_ value: String) -> Self { Self(key: "EventSource", value: value) }
        public static func username(_ value: String) -> Self { Self(key: "Username", value: value) }
        public static func readOnly(_ isReadOnly: Bool) -> Self { Self(key: "ReadOnly", value: isReadOnly ? "true" : "false") }
    }

    func jsonInput(nextToken: String?) -> JSONValue {
        var members: JSONValueObject = ["MaxResults": .integer(Int64(maxResults))]
        if let startTime { members["StartTime"] = .epochSeconds(startTime) }
        if let endTime { members["EndTime"] = .epochSeconds(endTime) }
        if !lookupAttributes.isEmpty {
            members["LookupAttributes"] = .array(
                lookupAttributes.map { .object(["AttributeKey": .string($0.key), "AttributeValue": .string($0.value)]) })
        }
        if let nextToken { members["NextToken"] = .string(nextToken) }
        return .object(members)
    }
}

/// One event as `LookupEvents` lists it. `cloudTrailEvent` is the full record as a JSON string;
/// ``record()`` parses it.
public struct CloudTrailEvent: Sendable, Hashable {
    public var eventId: String
    public var eventName: String?
    /// `"true"` or `"false"` as CloudTrail sends it; see ``isReadOnly``.
    public var readOnly: String?
    public var accessKeyId: String?
    /// Epoch seconds on the wire (may be fractional).
    public var eventTime: Date?
    public var eventSource: String?
    public var username: String?
    public var resources: [Resource]
    public var cloudTrailEvent: String?

    public var isReadOnly: Bool? {
        readOnly.map { $0.lowercased() == "true" }
    }

    public struct Resource: Sendable, Hashable, Decodable {
        public var resourceType: String?
        public var resourceName: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AWSCodingKey.self)
            resourceType = try container.optional("ResourceType")
            resourceName = try container.optional("ResourceName")
        }
    }

    /// The parsed `CloudTrailEvent` document; `nil` when the event has none.
    public func record() throws -> CloudTrailEventRecord? {
        guard let cloudTrailEvent else { return nil }
        return try CloudTrailEventRecord(json: cloudTrailEvent)
    }
}

extension CloudTrailEvent: AWSListItem {
    public static var idMember: String { "EventId" }
    public static var listMember: String { "Events" }
    public static var nextTokenMember: String { "NextToken" }
}

extension CloudTrailEvent: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        eventId = try container.optional("EventId") ?? ""
        eventName = try container.optional("EventName")
        readOnly = try container.text("ReadOnly")
        accessKeyId = try container.optional("AccessKeyId")
        eventTime = try container.optional("EventTime")
        eventSource = try container.optional("EventSource")
        username = try container.optional("Username")
        resources = try container.list("Resources")
        cloudTrailEvent = try container.optional("CloudTrailEvent")
    }
}

/// One page of `LookupEvents`.
public typealias LookupEventsPage = AWSListPage<CloudTrailEvent>

/// Every event of a `LookupEvents` call (newest first, as CloudTrail returns them).
public struct LookupEventsOutput: Sendable, Hashable {
    public var events: [CloudTrailEvent]
    public var pages: Int
}
