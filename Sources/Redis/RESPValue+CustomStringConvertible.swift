import NIOCore

extension RESPValue: CustomStringConvertible {
    /// A short, human readable form for logs and test failures; long payloads are cut.
    public var description: String {
        switch self {
        case .simpleString(let buffer):
            return "+\(Self.preview(buffer))"
        case .error(let buffer):
            return "-\(Self.preview(buffer))"
        case .integer(let value):
            return ":\(value)"
        case .bulkString(let buffer):
            return "\"\(Self.preview(buffer))\""
        case .null:
            return "null"
        case .array(let values):
            return "[\(values.map(\.description).joined(separator: ", "))]"
        case .double(let value):
            return ",\(value)"
        case .boolean(let value):
            return value ? "#t" : "#f"
        case .bigNumber(let buffer):
            return "(\(Self.preview(buffer))"
        case .verbatimString(let format, let buffer):
            return "\(format):\(Self.preview(buffer))"
        case .map(let pairs):
            return "{\(pairs.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", "))}"
        case .set(let values):
            return "~[\(values.map(\.description).joined(separator: ", "))]"
        case .push(let values):
            return ">[\(values.map(\.description).joined(separator: ", "))]"
        }
    }

    private static func preview(_ buffer: ByteBuffer) -> String {
        let limit = 64
        if buffer.readableBytes <= limit {
            return String(buffer: buffer)
        }
        return String(buffer: buffer.getSlice(at: buffer.readerIndex, length: limit) ?? buffer)
            + "...(\(buffer.readableBytes) bytes)"
    }
}
