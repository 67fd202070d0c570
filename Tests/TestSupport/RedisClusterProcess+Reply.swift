import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RedisClusterProcess {
    /// One RESP2 reply, as a node sent it. Error replies are values here (`MOVED 866 127.0.0.1:7001`),
    /// so a test can assert on redirections.
    public enum Reply: Sendable, Hashable, CustomStringConvertible {
        case status(String)
        case error(String)
        case integer(Int)
        case bulk(String)
        case null
        case array([Reply])

        /// The text of a status or bulk reply.
        public var string: String? {
            switch self {
            case .status(let text), .bulk(let text): text
            default: nil
            }
        }

        /// The message of an error reply (`MOVED 866 127.0.0.1:7001`).
        public var errorMessage: String? {
            if case .error(let message) = self { message } else { nil }
        }

        public var description: String {
            switch self {
            case .status(let text): "+\(text)"
            case .error(let message): "-\(message)"
            case .integer(let value): ":\(value)"
            case .bulk(let text): "\"\(text)\""
            case .null: "(nil)"
            case .array(let elements): "[\(elements.map(\.description).joined(separator: ", "))]"
            }
        }
    }
}

/// Commands to one node on 127.0.0.1 over a plain blocking socket: a connection per exchange, the
/// commands pipelined, one reply read per command. Small and independent of the product's client.
enum RedisLoopbackExchange {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { self.message }
    }

    /// Sends `commands` to 127.0.0.1:`port` and reads one reply each; every send and receive is
    /// bounded by `timeout`, the whole answer by 16 MiB.
    static func exchange(port: Int, commands: [[String]], timeout: Duration) throws -> [RedisClusterProcess.Reply] {
        let socket: LoopbackSocket
        do {
            socket = try LoopbackSocket(port: port, timeout: timeout)
        } catch {
            throw Failure(message: error.message)
        }
        var request: [UInt8] = []
        for command in commands {
            request += Array("*\(command.count)\r\n".utf8)
            for argument in command {
                let bytes = Array(argument.utf8)
                request += Array("$\(bytes.count)\r\n".utf8) + bytes + [13, 10]
            }
        }
        do {
            try socket.send(request)
        } catch {
            throw Failure(message: error.message)
        }

        var parser = ReplyParser()
        var replies: [RedisClusterProcess.Reply] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while replies.count < commands.count {
            if let reply = try parser.next() {
                replies.append(reply)
                continue
            }
            guard parser.bufferedCount < 16 << 20 else { throw Failure(message: "answer from 127.0.0.1:\(port) over 16 MiB") }
            let count = socket.receive(into: &chunk)
            guard count > 0 else {
                let reason = count == 0 ? "connection closed" : "errno \(errno)"
                throw Failure(
                    message: "reading from 127.0.0.1:\(port) after \(replies.count) of \(commands.count) replies: \(reason)")
            }
            parser.append(chunk[0..<count])
        }
        return replies
    }
}

/// An incremental RESP2 parser: `next()` returns a whole reply, or nil until enough bytes arrived.
struct ReplyParser {
    private var buffer: [UInt8] = []
    private var start = 0

    var bufferedCount: Int { self.buffer.count - self.start }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        if self.start > 0 {
            self.buffer.removeFirst(self.start)
            self.start = 0
        }
        self.buffer += bytes
    }

    mutating func next() throws -> RedisClusterProcess.Reply? {
        var index = self.start
        guard let reply = try self.parse(at: &index) else { return nil }
        self.start = index
        return reply
    }

    private func parse(at index: inout Int) throws -> RedisClusterProcess.Reply? {
        guard index < self.buffer.count else { return nil }
        let kind = self.buffer[index]
        var cursor = index + 1
        guard let line = self.line(at: &cursor) else { return nil }
        let reply: RedisClusterProcess.Reply
        switch kind {
        case UInt8(ascii: "+"): reply = .status(line)
        case UInt8(ascii: "-"): reply = .error(line)
        case UInt8(ascii: ":"):
            guard let value = Int(line) else { throw RedisLoopbackExchange.Failure(message: "bad integer reply \(line)") }
            reply = .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(line) else { throw RedisLoopbackExchange.Failure(message: "bad bulk length \(line)") }
            if length < 0 {
                reply = .null
            } else {
                guard self.buffer.count >= cursor + length + 2 else { return nil }
                reply = .bulk(String(decoding: self.buffer[cursor..<cursor + length], as: UTF8.self))
                cursor += length + 2
            }
        case UInt8(ascii: "*"):
            guard let count = Int(line) else { throw RedisLoopbackExchange.Failure(message: "bad array length \(line)") }
            if count < 0 {
                reply = .null
            } else {
                var elements: [RedisClusterProcess.Reply] = []
                for _ in 0..<count {
                    guard let element = try self.parse(at: &cursor) else { return nil }
                    elements.append(element)
                }
                reply = .array(elements)
            }
        default:
            throw RedisLoopbackExchange.Failure(message: "unexpected RESP type byte \(kind)")
        }
        index = cursor
        return reply
    }

    /// The text up to the next CRLF, moving `cursor` past it; nil when no CRLF has arrived yet.
    private func line(at cursor: inout Int) -> String? {
        var end = cursor
        while end + 1 < self.buffer.count {
            if self.buffer[end] == 13 && self.buffer[end + 1] == 10 {
                let text = String(decoding: self.buffer[cursor..<end], as: UTF8.self)
                cursor = end + 2
                return text
            }
            end += 1
        }
        return nil
    }
}
