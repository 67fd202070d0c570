@testable import SocketIOEmitter

/// A small MessagePack decoder for the tests, written from the MessagePack spec
/// (https://github.com/msgpack/msgpack/blob/master/spec.md) and independent of
/// ``MessagePackWriter``: it reads every format `notepack.io` writes for JSON-like values and
/// refuses the others (bin, ext) and trailing bytes.
struct MessagePackTestDecoder {
    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    private let bytes: [UInt8]
    private var index = 0

    static func decode(_ bytes: [UInt8]) throws -> MessagePackValue {
        var decoder = MessagePackTestDecoder(bytes: bytes)
        let value = try decoder.value()
        guard decoder.index == bytes.count else {
            throw DecodingError(description: "\(bytes.count - decoder.index) trailing bytes")
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - index >= count else { throw DecodingError(description: "truncated at \(index)") }
        defer { index += count }
        return bytes[index..<index + count]
    }

    private mutating func unsigned(_ count: Int) throws -> UInt64 {
        try take(count).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private mutating func value() throws -> MessagePackValue {
        let byte = try take(1).first ?? 0
        switch byte {
        case 0x00...0x7f: return .int(Int64(byte))
        case 0x80...0x8f: return try map(Int(byte & 0x0f))
        case 0x90...0x9f: return try array(Int(byte & 0x0f))
        case 0xa0...0xbf: return .string(try string(Int(byte & 0x1f)))
        case 0xc0: return .null
        case 0xc2: return .bool(false)
        case 0xc3: return .bool(true)
        case 0xcb: return .double(Double(bitPattern: try unsigned(8)))
        case 0xcc: return .int(Int64(try unsigned(1)))
        case 0xcd: return .int(Int64(try unsigned(2)))
        case 0xce: return .int(Int64(try unsigned(4)))
        case 0xcf:
            let value = try unsigned(8)
            return value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
        case 0xd0: return .int(Int64(Int8(truncatingIfNeeded: try unsigned(1))))
        case 0xd1: return .int(Int64(Int16(truncatingIfNeeded: try unsigned(2))))
        case 0xd2: return .int(Int64(Int32(truncatingIfNeeded: try unsigned(4))))
        case 0xd3: return .int(Int64(bitPattern: try unsigned(8)))
        case 0xd9: return .string(try string(Int(try unsigned(1))))
        case 0xda: return .string(try string(Int(try unsigned(2))))
        case 0xdb: return .string(try string(Int(try unsigned(4))))
        case 0xdc: return try array(Int(try unsigned(2)))
        case 0xdd: return try array(Int(try unsigned(4)))
        case 0xde: return try map(Int(try unsigned(2)))
        case 0xdf: return try map(Int(try unsigned(4)))
        case 0xe0...0xff: return .int(Int64(Int8(bitPattern: byte)))
        default: throw DecodingError(description: "unexpected format byte 0x\(String(byte, radix: 16)) at \(index - 1)")
        }
    }

    private mutating func string(_ count: Int) throws -> String {
        let utf8 = try take(count)
        guard let text = String(validating: utf8, as: UTF8.self) else { throw DecodingError(description: "invalid UTF-8") }
        return text
    }

    private mutating func array(_ count: Int) throws -> MessagePackValue {
        var elements: [MessagePackValue] = []
        for _ in 0..<count { elements.append(try value()) }
        return .array(elements)
    }

    private mutating func map(_ count: Int) throws -> MessagePackValue {
        var entries: [MessagePackValue.Entry] = []
        for _ in 0..<count {
            guard case .string(let key) = try value() else { throw DecodingError(description: "a map key that is not a string") }
            let element = try value()
            entries.append(.init(key, element))
        }
        return .map(entries)
    }
}
