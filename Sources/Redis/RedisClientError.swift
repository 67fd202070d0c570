/// The one error the Redis module throws.
///
/// `code` says what kind of failure it was, `message` says what happened and what to do, and
/// `underlying` carries the error from NIO or TLS when there is one. A server error reply
/// (`-NOSCRIPT ...`, `-WRONGPASS ...`) has code ``Code/serverError`` and its text in
/// ``serverMessage``. No message ever contains a password.
public struct RedisClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, as a struct over a private enum so cases can be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidConfiguration
            case connectTimeout
            case connectionFailed
            case connectionClosed
            case notConnected
            case commandTimeout
            case serverError
            case protocolError
            case unexpectedReply
            case tooManyPendingCommands
            case tooManySubscriptions
            case shutdown
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A URL, environment variable or option could not be used.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The TCP connect, TLS handshake or HELLO/AUTH did not finish within the connect timeout.
        public static let connectTimeout = Code(.connectTimeout)
        /// Connecting failed: refused, TLS verification failed, or authentication was rejected.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection closed while the command was in flight; it may or may not have run.
        public static let connectionClosed = Code(.connectionClosed)
        /// The client has no connection right now (it is backing off before reconnecting).
        public static let notConnected = Code(.notConnected)
        /// No reply within the command timeout; the command may still run on the server.
        public static let commandTimeout = Code(.commandTimeout)
        /// The server answered with an error reply; see ``RedisClientError/serverMessage``.
        public static let serverError = Code(.serverError)
        /// The server sent bytes that are not RESP, or a reply over the configured limits.
        public static let protocolError = Code(.protocolError)
        /// A well-formed reply of a type the typed helper did not expect.
        public static let unexpectedReply = Code(.unexpectedReply)
        /// The connection already has the maximum number of commands in flight.
        public static let tooManyPendingCommands = Code(.tooManyPendingCommands)
        /// The subscriber already holds the maximum number of channels and patterns.
        public static let tooManySubscriptions = Code(.tooManySubscriptions)
        /// The client or connection was shut down.
        public static let shutdown = Code(.shutdown)

        public var description: String { self.value.rawValue }
    }

    public var code: Code
    /// What happened, and where useful what to do about it.
    public var message: String
    /// For ``Code/serverError``: the server's error text, e.g. `NOSCRIPT No matching script.`.
    public var serverMessage: String?
    /// The error from a lower layer (NIO, TLS), if any.
    public var underlying: (any Error)?

    /// The first word of a server error, e.g. `NOSCRIPT`, `WRONGPASS`, `ERR`.
    public var serverErrorPrefix: String? {
        guard let serverMessage else { return nil }
        return serverMessage.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    public var description: String {
        var text = "RedisClientError(\(self.code)): \(self.message)"
        if let underlying = self.underlying {
            text += " (underlying: \(underlying))"
        }
        return text
    }

    static func server(_ message: String, command: String?) -> RedisClientError {
        RedisClientError(
            code: .serverError,
            message: command.map { "\($0) failed: \(message)" } ?? "server error: \(message)",
            serverMessage: message
        )
    }

    static func unexpected(_ value: RESPValue, expected: String) -> RedisClientError {
        RedisClientError(code: .unexpectedReply, message: "expected \(expected), got \(value)")
    }
}
