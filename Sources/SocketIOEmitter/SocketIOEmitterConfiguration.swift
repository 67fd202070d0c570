/// Whether the Redis bus also publishes every update in the `@socket.io/redis-emitter` wire
/// format, so Node Socket.IO servers with `@socket.io/redis-adapter` relay our updates to their
/// clients unchanged (the migration path from the old NestJS gateway). Off by default.
public struct SocketIOEmitterConfiguration: Sendable, Hashable {
    public var isEnabled: Bool
    /// The adapter's `key` option (`socket.io` by default in both the emitter and the adapter).
    public var key: String
    /// The Socket.IO namespace the clients connect to (the old gateway's `/aws-realtime`).
    public var namespace: String

    public init(isEnabled: Bool = false, key: String = "socket.io", namespace: String = "/aws-realtime") {
        self.isEnabled = isEnabled
        self.key = key
        self.namespace = namespace
    }

    public static var disabled: SocketIOEmitterConfiguration { SocketIOEmitterConfiguration() }

    public static func enabled(key: String = "socket.io", namespace: String = "/aws-realtime") -> SocketIOEmitterConfiguration {
        SocketIOEmitterConfiguration(isEnabled: true, key: key, namespace: namespace)
    }

    /// The broadcast channel, `<key>#<namespace>#`: the emitter's `broadcastChannel`
    /// (`socketio/socket.io-redis-emitter` `lib/index.ts`), which the adapter matches with
    /// `PSUBSCRIBE <key>#<namespace>#*` (`socketio/socket.io-redis-adapter` `lib/index.ts`).
    public var channel: String { "\(key)#\(namespace)#" }
}
