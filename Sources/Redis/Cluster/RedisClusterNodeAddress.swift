import Logging

/// Where a cluster node listens, as the cluster announces it (or as a redirection names it).
public struct RedisClusterNodeAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

extension RedisClusterNodeAddress {
    /// Reads `host:port` (the last colon splits, so an IPv6 host works; `[::1]:6379` too).
    /// An empty host (`:6380`, which a node sends when it does not know its own address) takes
    /// `defaultHost`, the host of the node that answered.
    init?(_ text: Substring, defaultHost: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        self.host = host.isEmpty ? defaultHost : String(host)
        self.port = port
    }
}

extension RedisClusterNodeAddress {
    /// `logger` with this node, the cluster's seed, as `redis.cluster`.
    func logging(to logger: Logger) -> Logger {
        var logger = logger
        logger[metadataKey: "redis.cluster"] = "\(self)"
        return logger
    }
}
