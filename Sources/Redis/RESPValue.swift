import NIOCore

/// One RESP2 or RESP3 reply, decoded from the wire.
///
/// Strings stay `ByteBuffer`s (slices of the received bytes), so a payload is never copied or
/// transcoded unless the caller asks for a `String`. RESP2 null bulk strings and null arrays and
/// the RESP3 null all decode to `.null`. RESP3 attributes are read and dropped.
public enum RESPValue: Sendable, Hashable {
    /// `+OK`
    case simpleString(ByteBuffer)
    /// `-ERR ...` and the RESP3 bulk error `!`; see ``RedisClientError`` for how commands surface it.
    case error(ByteBuffer)
    /// `:42`
    case integer(Int64)
    /// `$5\r\nhello`
    case bulkString(ByteBuffer)
    /// `$-1`, `*-1` (RESP2) and `_` (RESP3).
    case null
    /// `*2\r\n...`
    case array([RESPValue])
    /// RESP3 `,3.14`
    case double(Double)
    /// RESP3 `#t` / `#f`
    case boolean(Bool)
    /// RESP3 `(1234...`, kept as its decimal digits.
    case bigNumber(ByteBuffer)
    /// RESP3 `=15\r\ntxt:...`: the three-letter format and the text.
    case verbatimString(format: String, ByteBuffer)
    /// RESP3 `%1\r\n...`: key/value pairs in the order the server sent them.
    case map([Pair])
    /// RESP3 `~2\r\n...`
    case set([RESPValue])
    /// RESP3 `>3\r\n...`: out-of-band data such as pub/sub messages.
    case push([RESPValue])

    /// One key/value pair of a RESP3 map.
    public struct Pair: Sendable, Hashable {
        public var key: RESPValue
        public var value: RESPValue
    }
}

extension RESPValue {
    /// The bytes of a simple, bulk or verbatim string, or of a big number; `nil` otherwise.
    public var bytes: ByteBuffer? {
        switch self {
        case .simpleString(let buffer), .bulkString(let buffer), .bigNumber(let buffer):
            return buffer
        case .verbatimString(_, let buffer):
            return buffer
        default:
            return nil
        }
    }

    /// The value as UTF-8 text when it is a string, or the decimal text of a number.
    public var string: String? {
        switch self {
        case .integer(let value):
            return String(value)
        case .double(let value):
            return String(value)
        default:
            return self.bytes.map { String(buffer: $0) }
        }
    }

    /// The value as an integer: an integer reply, or a string holding a decimal integer.
    public var int: Int? {
        switch self {
        case .integer(let value):
            return Int(exactly: value)
        default:
            return self.string.flatMap { Int($0) }
        }
    }

    /// The elements of an array, set or push; a map flattened to key, value, key, value.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values), .set(let values), .push(let values):
            return values
        case .map(let pairs):
            return pairs.flatMap { [$0.key, $0.value] }
        default:
            return nil
        }
    }

    /// `true` for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
