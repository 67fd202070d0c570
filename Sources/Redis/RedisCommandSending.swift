import NIOCore

/// Anything that can send commands: a ``RedisConnection`` or a reconnecting ``RedisClient``.
/// The typed command helpers are written once, on this protocol.
public protocol RedisCommandSending: Sendable {
    /// Sends one command; a server error reply throws ``RedisClientError`` (`.serverError`).
    func send(_ arguments: [ByteBuffer]) async throws -> RESPValue
    /// Sends one command given as strings.
    func send(_ arguments: [String]) async throws -> RESPValue
    /// Writes all commands at once; replies in order, error replies as `.error` in place.
    func pipeline(_ commands: [[ByteBuffer]]) async throws -> [RESPValue]
    /// PUBLISH of each message to `channel` as one pipelined write; the receiver count of each.
    /// The default implementation builds the commands for ``pipeline(_:)``.
    func publish(_ messages: [ByteBuffer], to channel: String) async throws -> [Int]
}

extension RedisConnection: RedisCommandSending {}
