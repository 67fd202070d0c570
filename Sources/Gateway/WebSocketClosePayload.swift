import NIOCore
import NIOWebSocket

/// A client's close frame, as RFC 6455 reads it (5.5.1, 7.1.5, 7.4): no payload, or a status code
/// an endpoint may send followed by a UTF-8 reason. Anything else (a 1-byte payload, a code that
/// is reserved or unassigned, a reason that is not UTF-8) is a protocol error.
enum WebSocketClosePayload: Equatable {
    /// No status code: answered with 1000.
    case empty
    /// A valid status code (its reason, valid UTF-8, is not kept): echoed.
    case code(WebSocketErrorCode)
    /// Why the payload breaks RFC 6455: answered with 1002.
    case invalid(String)

    init(_ payload: ByteBuffer) {
        var payload = payload
        guard payload.readableBytes > 0 else {
            self = .empty
            return
        }
        guard let number = payload.readInteger(as: UInt16.self) else {
            self = .invalid("close payload of 1 byte")
            return
        }
        guard Self.isSendable(number) else {
            self = .invalid("close code \(number) is not allowed")
            return
        }
        var reason = UTF8Validator()
        guard payload.withUnsafeReadableBytes({ reason.consume($0) }), reason.isComplete else {
            self = .invalid("close reason is not UTF-8")
            return
        }
        self = .code(WebSocketErrorCode(codeNumber: Int(number)))
    }

    /// Whether an endpoint may put `code` in a close frame (RFC 6455 7.4): 1000-1003 and
    /// 1007-1011 from the RFC, 1012-1014 registered with IANA since, and 3000-4999 for libraries
    /// and applications. Never 1004, 1005, 1006, 1015 (reserved), nor the rest of 0-2999 or
    /// 5000 and above.
    static func isSendable(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }
}
