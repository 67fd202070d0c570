/// A request as the test server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var uri: String
    /// Header lines in arrival order, names spelled as the client sent them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Which accepted TCP connection carried it, numbered from 1.
    public var connectionNumber: Int

    /// The first header of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// What the test server does with one request: answer it, or misbehave.
public struct ScriptedResponse: Sendable {
    enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Close with SO_LINGER 0, so the client sees a TCP reset.
        case reset
        /// Close without writing anything.
        case close
        /// Announce `declaredLength` bytes, send `body`, close.
        case truncated(status: Int, body: [UInt8], declaredLength: Int)
        /// Hold the connection open without answering until the client closes it.
        case neverAnswer
    }

    enum Framing: Sendable {
        case contentLength
        case chunked
    }

    var action: Action
    var delay: Duration?
    var isGzipEncoded = false
    var framing = Framing.contentLength

    /// A normal response with a `Content-Length`.
    public static func respond(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) -> Self {
        Self(action: .respond(status: status, headers: headers, body: body))
    }

    public static func respond(status: Int = 200, headers: [(String, String)] = [], body: String) -> Self {
        respond(status: status, headers: headers, body: Array(body.utf8))
    }

    /// Reset the connection (RST) instead of answering.
    public static let reset = Self(action: .reset)
    /// Close the connection without answering.
    public static let close = Self(action: .close)
    /// Never answer; the connection stays open until the client closes it (or 30 s pass).
    public static let neverAnswer = Self(action: .neverAnswer)

    /// A response whose `Content-Length` promises `declaredLength` bytes but only `body` is sent.
    public static func truncated(status: Int = 200, body: [UInt8], declaredLength: Int) -> Self {
        Self(action: .truncated(status: status, body: body, declaredLength: declaredLength))
    }

    /// Waits before sending the first byte.
    public func delayed(by delay: Duration) -> Self {
        var copy = self
        copy.delay = delay
        return copy
    }

    /// Sends the body gzip-encoded with `Content-Encoding: gzip`.
    public func gzipEncoded() -> Self {
        var copy = self
        copy.isGzipEncoded = true
        return copy
    }

    /// Sends the body with `Transfer-Encoding: chunked` instead of a `Content-Length`.
    public func chunked() -> Self {
        var copy = self
        copy.framing = .chunked
        return copy
    }
}
