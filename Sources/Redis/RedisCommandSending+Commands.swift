import NIOCore

/// When SET writes.
public struct RedisSetCondition: Sendable, Hashable {
    fileprivate enum Value: Sendable, Hashable { case always, ifNotExists, ifExists }
    fileprivate let value: Value

    /// Always write (plain SET).
    public static let always = RedisSetCondition(value: .always)
    /// Only if the key does not exist (NX): a lock or a lease.
    public static let ifNotExists = RedisSetCondition(value: .ifNotExists)
    /// Only if the key exists (XX).
    public static let ifExists = RedisSetCondition(value: .ifExists)
}

/// How XADD trims the stream.
public struct RedisStreamTrim: Sendable, Hashable {
    fileprivate enum Value: Sendable, Hashable {
        case none
        case maxLength(Int, isApproximate: Bool)
    }

    fileprivate let value: Value

    /// No trimming.
    public static let none = RedisStreamTrim(value: .none)
    /// `MAXLEN ~ n`: keep about `n` entries; cheap, trims whole nodes.
    public static func approximateMaxLength(_ count: Int) -> RedisStreamTrim {
        RedisStreamTrim(value: .maxLength(count, isApproximate: true))
    }
    /// `MAXLEN = n`: keep exactly `n` entries.
    public static func exactMaxLength(_ count: Int) -> RedisStreamTrim {
        RedisStreamTrim(value: .maxLength(count, isApproximate: false))
    }
}

extension RedisCommandSending {
    /// PING; returns `PONG`.
    public func ping() async throws -> String {
        let reply = try await self.send(["PING"])
        guard let text = reply.string else { throw RedisClientError.unexpected(reply, expected: "a PONG string") }
        return text
    }

    /// GET: the value, or `nil` when the key does not exist.
    public func get(_ key: String) async throws -> ByteBuffer? {
        let reply = try await self.send(["GET", key])
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw RedisClientError.unexpected(reply, expected: "a bulk string or null") }
        return bytes
    }

    /// SET with an optional condition (NX / XX) and expiry (PX, in milliseconds).
    /// Returns `false` when the condition kept it from writing.
    @discardableResult
    public func set(_ key: String, to value: ByteBuffer, condition: RedisSetCondition = .always, expiration: Duration? = nil)
        async throws
        -> Bool
    {
        var arguments = [ByteBuffer(string: "SET"), ByteBuffer(string: key), value]
        switch condition.value {
        case .always: break
        case .ifNotExists: arguments.append(ByteBuffer(string: "NX"))
        case .ifExists: arguments.append(ByteBuffer(string: "XX"))
        }
        if let expiration {
            let (seconds, attoseconds) = expiration.components
            let milliseconds = max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
            arguments += [ByteBuffer(string: "PX"), ByteBuffer(string: String(milliseconds))]
        }
        let reply = try await self.send(arguments)
        switch reply {
        case .null: return false
        case .simpleString: return true
        default: throw RedisClientError.unexpected(reply, expected: "OK or null")
        }
    }

    /// SET with a string value.
    @discardableResult
    public func set(_ key: String, to value: String, condition: RedisSetCondition = .always, expiration: Duration? = nil)
        async throws -> Bool
    {
        try await self.set(key, to: ByteBuffer(string: value), condition: condition, expiration: expiration)
    }

    /// DEL: how many of the keys existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        try await self.integer(["DEL"] + keys)
    }

    /// INCR: the value after the increment.
    public func increment(_ key: String) async throws -> Int {
        try await self.integer(["INCR", key])
    }

    /// HSET: how many fields were new.
    @discardableResult
    public func hset(_ key: String, fields: [(name: String, value: String)]) async throws -> Int {
        var arguments = ["HSET", key]
        for field in fields {
            arguments += [field.name, field.value]
        }
        return try await self.integer(arguments)
    }

    /// HGETALL as a dictionary (RESP3 map or RESP2 flat array).
    public func hgetall(_ key: String) async throws -> [String: ByteBuffer] {
        let reply = try await self.send(["HGETALL", key])
        guard let flat = reply.elements, flat.count % 2 == 0 else {
            throw RedisClientError.unexpected(reply, expected: "a map or a flat array of fields and values")
        }
        var result: [String: ByteBuffer] = [:]
        var index = 0
        while index < flat.count {
            guard let name = flat[index].string, let value = flat[index + 1].bytes else {
                throw RedisClientError.unexpected(reply, expected: "string fields and values")
            }
            result[name] = value
            index += 2
        }
        return result
    }

    /// XADD with an id (`*` for a new one) and trimming; returns the id of the entry.
    @discardableResult
    public func xadd(_ key: String, id: String = "*", fields: [RedisStreamEntry.Field], trim: RedisStreamTrim = .none)
        async throws -> String
    {
        var arguments = [ByteBuffer(string: "XADD"), ByteBuffer(string: key)]
        switch trim.value {
        case .none:
            break
        case .maxLength(let count, let isApproximate):
            arguments += [
                ByteBuffer(string: "MAXLEN"), ByteBuffer(string: isApproximate ? "~" : "="), ByteBuffer(string: String(count)),
            ]
        }
        arguments.append(ByteBuffer(string: id))
        for field in fields {
            arguments += [ByteBuffer(string: field.name), field.value]
        }
        let reply = try await self.send(arguments)
        guard let entryID = reply.string else { throw RedisClientError.unexpected(reply, expected: "a stream entry id") }
        return entryID
    }

    /// XRANGE from `start` to `end` (inclusive; `-` and `+` for the ends, `(id` for exclusive).
    public func xrange(_ key: String, from start: String = "-", to end: String = "+", count: Int? = nil) async throws
        -> [RedisStreamEntry]
    {
        var arguments = ["XRANGE", key, start, end]
        if let count { arguments += ["COUNT", String(count)] }
        return try await self.streamEntries(arguments)
    }

    /// XREVRANGE from `end` down to `start`.
    public func xrevrange(_ key: String, from end: String = "+", to start: String = "-", count: Int? = nil) async throws
        -> [RedisStreamEntry]
    {
        var arguments = ["XREVRANGE", key, end, start]
        if let count { arguments += ["COUNT", String(count)] }
        return try await self.streamEntries(arguments)
    }

    /// PUBLISH: how many subscribers received the message (on this node).
    @discardableResult
    public func publish(_ message: ByteBuffer, to channel: String) async throws -> Int {
        try await self.integer(reply: try await self.send([ByteBuffer(string: "PUBLISH"), ByteBuffer(string: channel), message]))
    }

    /// PUBLISH of each message to `channel`, written at once as one pipelined batch; how many
    /// subscribers received each (on this node), in order. An error reply throws the first one,
    /// as ``RedisClientError`` `.serverError`, once every reply is in: the other messages were
    /// still sent.
    @discardableResult
    public func publish(_ messages: [ByteBuffer], to channel: String) async throws -> [Int] {
        let command = ByteBuffer(string: "PUBLISH")
        let name = ByteBuffer(string: channel)
        let replies = try await self.pipeline(messages.map { [command, name, $0] })
        return try Self.publishCounts(replies)
    }

    /// The receiver counts of a PUBLISH batch; the first error reply, thrown.
    static func publishCounts(_ replies: [RESPValue]) throws -> [Int] {
        if let message = replies.lazy.compactMap({ reply -> ByteBuffer? in
            if case .error(let message) = reply { return message }
            return nil
        }).first {
            throw RedisClientError.server(String(buffer: message), command: "PUBLISH")
        }
        return try replies.map { reply in
            guard case .integer(let value) = reply, let count = Int(exactly: value) else {
                throw RedisClientError.unexpected(reply, expected: "an integer")
            }
            return count
        }
    }

    /// PUBLISH a string.
    @discardableResult
    public func publish(_ message: String, to channel: String) async throws -> Int {
        try await self.publish(ByteBuffer(string: message), to: channel)
    }

    /// PUBSUB NUMSUB: the subscriber count of each channel.
    public func subscriberCounts(of channels: [String]) async throws -> [String: Int] {
        try await self.pubSubCounts("NUMSUB", channels)
    }

    /// PUBSUB SHARDNUMSUB (Redis 7): subscribers of each shard channel on the node that serves its
    /// slot (a cluster client sends it there; the channels must share one slot).
    public func shardSubscriberCounts(of channels: [String]) async throws -> [String: Int] {
        try await self.pubSubCounts("SHARDNUMSUB", channels)
    }

    private func pubSubCounts(_ subcommand: String, _ channels: [String]) async throws -> [String: Int] {
        let reply = try await self.send(["PUBSUB", subcommand] + channels)
        guard let flat = reply.elements, flat.count % 2 == 0 else {
            throw RedisClientError.unexpected(reply, expected: "channel and count pairs")
        }
        var result: [String: Int] = [:]
        var index = 0
        while index < flat.count {
            guard let name = flat[index].string, let count = flat[index + 1].int else {
                throw RedisClientError.unexpected(reply, expected: "channel and count pairs")
            }
            result[name] = count
            index += 2
        }
        return result
    }

    /// EVALSHA, and EVAL when the server answers NOSCRIPT (which also caches the script again).
    public func evaluate(_ script: RedisScript, keys: [String] = [], arguments: [ByteBuffer] = []) async throws -> RESPValue {
        let tail = [ByteBuffer(string: String(keys.count))] + keys.map { ByteBuffer(string: $0) } + arguments
        do {
            return try await self.send([ByteBuffer(string: "EVALSHA"), ByteBuffer(string: script.sha1)] + tail)
        } catch let error as RedisClientError where error.serverErrorPrefix == "NOSCRIPT" {
            return try await self.send([ByteBuffer(string: "EVAL"), ByteBuffer(string: script.source)] + tail)
        }
    }

    private func integer(_ arguments: [String]) async throws -> Int {
        try await self.integer(reply: try await self.send(arguments))
    }

    private func integer(reply: RESPValue) async throws -> Int {
        guard case .integer(let value) = reply, let int = Int(exactly: value) else {
            throw RedisClientError.unexpected(reply, expected: "an integer")
        }
        return int
    }

    private func streamEntries(_ arguments: [String]) async throws -> [RedisStreamEntry] {
        let reply = try await self.send(arguments)
        guard let entries = reply.elements else {
            throw RedisClientError.unexpected(reply, expected: "an array of stream entries")
        }
        return try entries.map(RedisStreamEntry.init)
    }
}
