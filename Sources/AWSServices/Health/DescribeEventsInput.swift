import AWSCore
import Foundation

/// An AWS Health `DescribeEvents` query (the Health API is global: us-east-1).
public struct DescribeEventsInput: Sendable, Hashable {
    public var filter: Filter
    /// Events per page, 10 to 100.
    public var maxResults: Int
    public var locale: String?

    public static let maxResultsRange = 10...100

    public init(filter: Filter = Filter(), maxResults: Int = 100, locale: String? = nil) {
        self.filter = filter
        self.maxResults = min(max(Self.maxResultsRange.lowerBound, maxResults), Self.maxResultsRange.upperBound)
        self.locale = locale
    }

    public struct Filter: Sendable, Hashable {
        /// Events updated at or after this time (sent as `lastUpdatedTimes: [{from}]`).
        public var lastUpdatedFrom: Date?
        public var lastUpdatedTo: Date?
        /// `open`, `closed`, `upcoming`.
        public var eventStatusCodes: [String]
        /// `EC2`, `S3`, ...
        public var services: [String]
        public var regions: [String]
        /// `issue`, `accountNotification`, `scheduledChange`, `investigation`.
        public var eventTypeCategories: [String]
        public var eventTypeCodes: [String]

        public init(
            lastUpdatedFrom: Date? = nil, lastUpdatedTo: Date? = nil, eventStatusCodes: [String] = [], services: [String] = [],
            regions: [String] = [], eventTypeCategories: [String] = [], eventTypeCodes: [String] = []
        ) {
            self.lastUpdatedFrom = lastUpdatedFrom
            self.lastUpdatedTo = lastUpdatedTo
            self.eventStatusCodes = eventStatusCodes
            self.services = services
            self.regions = regions
            self.eventTypeCategories = eventTypeCategories
            self.eventTypeCodes = eventTypeCodes
        }

        var json: JSONValue {
            var members: JSONValueObject = [:]
            if lastUpdatedFrom != nil || lastUpdatedTo != nil {
                var range: JSONValueObject = [:]
                if let lastUpdatedFrom { range["from"] = .epochSeconds(lastUpdatedFrom) }
                if let lastUpdatedTo { range["to"] = .epochSeconds(lastUpdatedTo) }
                members["lastUpdatedTimes"] = .array([.object(range)])
            }
            func list(_ name: String, _ values: [String]) {
                if !values.isEmpty { members[name] = .array(values.map(JSONValue.string)) }
            }
            list("eventStatusCodes", eventStatusCodes)
            list("services", services)
            list("regions", regions)
            list("eventTypeCategories", eventTypeCategories)
            list("eventTypeCodes", eventTypeCodes)
            return .object(members)
        }
    }

    func jsonInput(nextToken: String?) -> JSONValue {
        var members: JSONValueObject = ["maxResults": .integer(Int64(maxResults))]
        let filterJSON = filter.json
        if filterJSON != .object([:]) { members["filter"] = filterJSON }
        if let locale { members["locale"] = .string(locale) }
        if let nextToken { members["nextToken"] = .string(nextToken) }
        return .object(members)
    }
}

/// An AWS Health event. Times are epoch seconds (fractional) on the wire.
public struct HealthEvent: Sendable, Hashable {
    public var arn: String
    public var service: String?
    public var eventTypeCode: String?
    public var eventTypeCategory: String?
    public var region: String?
    public var availabilityZone: String?
    public var startTime: Date?
    /// Absent while the event is open.
    public var endTime: Date?
    public var lastUpdatedTime: Date?
    /// `open`, `closed`, `upcoming`.
    public var statusCode: String?
    /// `PUBLIC`, `ACCOUNT_SPECIFIC`, `NONE`.
    public var eventScopeCode: String?
}

extension HealthEvent: AWSListItem {
    public static var idMember: String { "arn" }
    public static var listMember: String { "events" }
    public static var nextTokenMember: String { "nextToken" }
}

extension HealthEvent: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        arn = try container.optional("arn") ?? ""
        service = try container.optional("service")
        eventTypeCode = try container.optional("eventTypeCode")
        eventTypeCategory = try container.optional("eventTypeCategory")
        region = try container.optional("region")
        availabilityZone = try container.optional("availabilityZone")
        startTime = try container.optional("startTime")
        endTime = try container.optional("endTime")
        lastUpdatedTime = try container.optional("lastUpdatedTime")
        statusCode = try container.optional("statusCode")
        eventScopeCode = try container.optional("eventScopeCode")
    }
}

/// One page of `DescribeEvents`.
public typealias DescribeEventsPage = AWSListPage<HealthEvent>

/// Every event of a `DescribeEvents` call.
public struct DescribeEventsOutput: Sendable, Hashable {
    public var events: [HealthEvent]
    public var pages: Int
}
