import TextFormats

extension MessagePackValue {
    /// JSON as `JSON.parse` would see it: objects keep their key order; a number without fraction
    /// or exponent stays an exact integer when it fits 64 bits; any other number is a double, and an
    /// integral one (`1.0`, `1e3`) becomes an integer, as in JavaScript. Strings are as
    /// ``JSONDocument/parse(_:)`` reads them (a lone surrogate escape is U+FFFD).
    init(_ document: JSONDocument) {
        switch document {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let text): self = Self.number(text)
        case .string(let value): self = .string(value)
        case .array(let elements): self = .array(elements.map(MessagePackValue.init))
        case .object(let members): self = .map(members.map { Entry($0.key, MessagePackValue($0.value)) })
        }
    }

    /// Reads `bytes`, one JSON document, as ``init(_:)`` converts it.
    static func reading(json bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> MessagePackValue {
        MessagePackValue(try JSONDocument.parse(bytes))
    }

    /// A number as JavaScript holds it (the parser has checked its syntax).
    private static func number(_ text: String) -> MessagePackValue {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            if let integer = Int64(text) { return .int(integer) }
            if let integer = UInt64(text) { return .uint(integer) }
        }
        // RFC 8259 syntax always reads as a Double (out of range: infinity, as in JavaScript).
        let number = Double(text) ?? .nan
        if number.isFinite, number.rounded(.down) == number, let integer = Int64(exactly: number) { return .int(integer) }
        return .double(number)
    }
}
