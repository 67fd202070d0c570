import Payloads
import Redis

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
    public func cursor(_ stream: StreamName) -> String { cursor(stream, scope: .stream) }
    /// Hash: where incremental collection of one scope stands: `{p}cursor:<stream>` for the
    /// stream's own cursor, `{p}cursor:<stream>:<account>:<region>` for a target's. The hash tag
    /// is the prefix's, so a target's cursor shares the slot of every other key of the bus.
    public func cursor(_ stream: StreamName, scope: BusCursorScope) -> String {
        "\(prefix)cursor:\(stream.rawValue)\(scope.keySuffix)"
    }
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

extension RedisBusKeys {
    /// The prefix on a Redis Cluster: the hash tag `{aws-realtime}` puts every key and shard
    /// channel of the bus in one slot, so one script can touch the lease, a stream's log, its
    /// channel and its cursor together.
    public static let clusterDefaultPrefix = "{aws-realtime}:"

    /// The prefix's hash tag (the text between its first `{` and the next `}`), if it has one.
    public var hashTag: String? {
        RedisClusterSlot.hashTag(of: Array(prefix.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Checks that every key under this prefix falls in one cluster slot: the prefix must hold a
    /// whole, non-empty hash tag. `configurationKey` names the setting in the error.
    public func checkClusterSafe(configurationKey: String) throws(RedisBusKeysError) {
        guard let open = prefix.firstIndex(of: "{"), prefix[open...].contains("}"), hashTag != nil else {
            throw RedisBusKeysError(
                message:
                    "\(configurationKey) is \"\(prefix)\", but on a Redis Cluster the key prefix must hold a hash tag so that the bus's keys share one slot, such as \"\(Self.clusterDefaultPrefix)\" (the default there)"
            )
        }
    }
}

/// A key layout that cannot work on the configured Redis.
public struct RedisBusKeysError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
