/// A JSON document as its text said it: member order and repetition, numbers as spelled.
///
/// What reads JSON without Foundation's reinterpretation: capture files, which embed AWS's JSON
/// bodies and must serve back the bytes AWS sent (Foundation would reorder keys and rewrite
/// `1.637257262E9` as `1637257262`); the Socket.IO emitter, which re-encodes an envelope as
/// MessagePack in the JSON's own key order; the gateway's Socket.IO packets. One parser
/// (``parse(_:)``, bounded in depth) and one writer (``compactText``, ``prettyText``).
public indirect enum JSONDocument: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number exactly as written in the source text.
    case number(String)
    case string(String)
    case array([JSONDocument])
    case object([Member])

    /// One object member. Objects are arrays of members: order and repetition are kept.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONDocument

        public init(_ key: String, _ value: JSONDocument) {
            self.key = key
            self.value = value
        }
    }

    /// The value of the member named `key`, if this is an object: the last one when the name repeats,
    /// as `JSON.parse` and Foundation's decoder read it.
    public subscript(key: String) -> JSONDocument? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as a `Double` (nearest; infinite beyond its range), if this is a number.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }
}
