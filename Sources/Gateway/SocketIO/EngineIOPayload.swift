import NIOCore
import Payloads
import TextFormats

/// Engine.IO v4 long-polling payloads: packets separated by the record separator (0x1E), binary
/// packets as `b` + base64.
enum EngineIOPayload {
    static let separator = UInt8(0x1E)

    /// The packets of a POST body; nil when it is not UTF-8.
    static func split(_ body: ByteBuffer) -> [Substring]? {
        guard let text = body.getString(at: body.readerIndex, length: body.readableBytes),
            text.utf8.elementsEqual(body.readableBytesView)
        else { return nil }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: false)
    }

    /// One GET answer: the packets joined with the record separator.
    static func join(_ packets: [ByteBuffer]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(packets.reduce(packets.count) { $0 + $1.readableBytes })
        for (index, packet) in packets.enumerated() {
            if index > 0 { out.writeInteger(separator) }
            var packet = packet
            out.writeBuffer(&packet)
        }
        return out
    }
}

/// The reference server's answers to requests it cannot serve (HTTP 400 or 403 with a JSON code).
struct EngineIOError: Error, Equatable, Sendable {
    let status: Int
    let code: Int
    let message: String

    static let unknownTransport = Self(status: 400, code: 0, message: "Transport unknown")
    static let unknownSession = Self(status: 400, code: 1, message: "Session ID unknown")
    static let badHandshakeMethod = Self(status: 400, code: 2, message: "Bad handshake method")
    static let badRequest = Self(status: 400, code: 3, message: "Bad request")
    static let forbidden = Self(status: 403, code: 4, message: "Forbidden")
    static let unsupportedProtocolVersion = Self(status: 400, code: 5, message: "Unsupported protocol version")
    /// Not in the reference server (which has no connection limit): 503 with its own code.
    static let atCapacity = Self(status: 503, code: 100, message: "connection limit reached; try again later")
    static let payloadTooLarge = Self(status: 413, code: 3, message: "Payload too large")
    /// A handshake over the pending-handshake budget: refused as the reference server refuses a
    /// handshake its `allowRequest` turns down (403, code 4, the reason as the message).
    static let tooManyPending = Self(
        status: 403, code: 4, message: "too many Socket.IO handshakes waiting for their CONNECT; try again later")
    static let tooManyPendingFromAddress = Self(
        status: 403, code: 4,
        message: "too many Socket.IO handshakes from this address waiting for their CONNECT; try again later")

    var json: String { "{\"code\":\(code),\"message\":\(JSONString.literal(message))}" }
}
