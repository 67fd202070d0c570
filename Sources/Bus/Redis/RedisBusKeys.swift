import Payloads

/// The Redis keys of DESIGN.md, under a configurable prefix (default `aws-realtime:`).
public struct RedisBusKeys: Sendable, Hashable {
    public let prefix: String

    public init(prefix: String = "aws-realtime:") {
        self.prefix = prefix
    }

    /// Pub/sub channel: live delivery.
    public func channel(_ stream: StreamName) -> String { "\(prefix)ch:\(stream.rawValue)" }
    /// Stream: history (MAXLEN ~ N), for recovery, resume and snapshots.
    public func log(_ stream: StreamName) -> String { "\(prefix)log:\(stream.rawValue)" }
    /// Hash: where incremental collection stands.
    public func cursor(_ stream: StreamName) -> String { "\(prefix)cursor:\(stream.rawValue)" }
    /// String with a PX ttl: the singleton lease, holding the holder's token.
    public var leader: String { "\(prefix)leader" }
    /// Counter: the fencing epoch, incremented on each new leadership.
    public var epoch: String { "\(prefix)epoch" }

    /// The stream a channel name belongs to.
    public func stream(ofChannel channel: String) -> StreamName? {
        guard channel.hasPrefix(prefix + "ch:") else { return nil }
        return StreamName(rawValue: String(channel.dropFirst(prefix.count + 3)))
    }
}
