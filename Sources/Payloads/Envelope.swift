#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one message format of every channel:
/// `{"v":1,"stream":"aws-metrics","type":"metrics","id":"1732665600000-0","epoch":7,
///   "timestamp":"2026-11-27T00:00:00.000Z","account":"123456789012","region":"eu-west-1","data":{...}}`.
///
/// `id` is the Redis stream entry id the message was stored under (ordered, gap-detectable) and
/// is only known at publish time; `epoch` is the publishing leader's fencing epoch.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    public static var version: Int { 1 }

    public var v: Int
    public var stream: StreamName
    /// `metrics`, `logs`, ... for data; `heartbeat` for the leader's keep-alive.
    public var type: String
    public var id: String
    public var epoch: Int64
    /// When the worker produced the message (ISO-8601 with milliseconds, UTC).
    public var timestamp: String
    public var account: String
    public var region: String
    public var data: Payload

    public init(
        stream: StreamName, type: String, id: String = "", epoch: Int64, timestamp: Date, account: String, region: String,
        data: Payload
    ) {
        self.v = Self.version
        self.stream = stream
        self.type = type
        self.id = id
        self.epoch = epoch
        self.timestamp = ISO8601.string(from: timestamp)
        self.account = account
        self.region = region
        self.data = data
    }
}

/// The `type` of the leader's heartbeat, published on every watched channel so gateways can tell
/// a quiet stream from a dead subscription. Its `data` is empty.
public struct Heartbeat: Codable, Sendable, Equatable {
    public static let type = "heartbeat"
    public init() {}
}
