/// One of the six streams. The names are the old NestJS gateway's and stay the public contract:
/// Socket.IO clients emit `subscribe-<name>` and receive `<name>-update`.
public struct StreamName: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    /// Only the six known names are streams; anything else a client sends is refused.
    public init?(rawValue: String) {
        guard Self.allCases.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) {
        self.rawValue = known
    }

    public static let metrics = StreamName(known: "aws-metrics")
    public static let logs = StreamName(known: "aws-logs")
    public static let activity = StreamName(known: "aws-activity")
    public static let costs = StreamName(known: "aws-costs")
    public static let security = StreamName(known: "aws-security")
    public static let health = StreamName(known: "aws-health")

    public static let allCases: [StreamName] = [.metrics, .logs, .activity, .costs, .security, .health]

    public var description: String { rawValue }

    /// The envelope `type` of this stream's data messages.
    public var dataType: String {
        String(rawValue.dropFirst("aws-".count))
    }

    /// The Socket.IO event that carries this stream's updates (`aws-metrics-update`).
    public var updateEvent: String { rawValue + "-update" }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let name = StreamName(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown stream '\(raw)'"))
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
