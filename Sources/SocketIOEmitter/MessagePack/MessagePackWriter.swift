/// Writes MessagePack exactly as `notepack.io` (the codec of `@socket.io/redis-emitter` and
/// `@socket.io/redis-adapter`) encodes the same JavaScript value: the smallest format of the
/// MessagePack spec for each value, chosen by notepack's rules in
/// `darrachequesne/notepack` `lib/encode.js` (`_encode`):
///
/// - strings by UTF-8 byte length: fixstr `0xa0|n` (< 32), str 8 `0xd9` (< 2^8), str 16 `0xda`
///   (< 2^16), str 32 `0xdb`;
/// - integers: positive fixint (< 128), uint 8 `0xcc`, uint 16 `0xcd`, uint 32 `0xce`, uint 64
///   `0xcf`; negative fixint (>= -32), int 8 `0xd0`, int 16 `0xd1`, int 32 `0xd2`, int 64 `0xd3`;
///   never the signed formats for a non-negative value, all big-endian;
/// - a number with a fraction, or not finite: float 64 `0xcb` (notepack never writes float 32); a
///   number without a fraction is an integer (JavaScript has one number type: `1.0` is `1`, and
///   `-0` is written as `0x00`);
/// - arrays: fixarray `0x90|n` (< 16), array 16 `0xdc`, array 32 `0xdd`; objects: fixmap
///   `0x80|n` (< 16), map 16 `0xde`, map 32 `0xdf`, keys as strings in order;
/// - `null` `0xc0`, `false` `0xc2`, `true` `0xc3`.
///
/// Two deliberate differences, where notepack's output would be wrong rather than different: an
/// integer above 2^53 keeps its exact value (JavaScript would have rounded it first), and a
/// fraction-less number outside the 64-bit range is written as float 64 (notepack would write
/// the low 64 bits of it).
public struct MessagePackWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: MessagePackValue) {
        switch value {
        case .null: bytes.append(0xc0)
        case .bool(let flag): bytes.append(flag ? 0xc3 : 0xc2)
        case .int(let integer): writeInteger(integer)
        case .uint(let integer): writeUnsigned(integer)
        case .double(let number): writeNumber(number)
        case .string(let text): writeString(text)
        case .array(let elements):
            writeArrayHeader(count: elements.count)
            for element in elements { write(element) }
        case .map(let entries):
            writeMapHeader(count: entries.count)
            for entry in entries {
                writeString(entry.key)
                write(entry.value)
            }
        }
    }

    public mutating func writeString(_ text: String) {
        let count = text.utf8.count
        if count < 0x20 {
            bytes.append(0xa0 | UInt8(count))
        } else if count < 0x100 {
            bytes += [0xd9, UInt8(count)]
        } else if count < 0x1_0000 {
            bytes.append(0xda)
            appendBigEndian(UInt16(count))
        } else {
            // notepack throws past 2^32 - 1 bytes; a Redis value is at most 512 MB anyway.
            bytes.append(0xdb)
            appendBigEndian(UInt32(clamping: count))
        }
        bytes += text.utf8
    }

    public mutating func writeArrayHeader(count: Int) {
        if count < 0x10 {
            bytes.append(0x90 | UInt8(count))
        } else if count < 0x1_0000 {
            bytes.append(0xdc)
            appendBigEndian(UInt16(count))
        } else {
            bytes.append(0xdd)
            appendBigEndian(UInt32(clamping: count))
        }
    }

    public mutating func writeMapHeader(count: Int) {
        if count < 0x10 {
            bytes.append(0x80 | UInt8(count))
        } else if count < 0x1_0000 {
            bytes.append(0xde)
            appendBigEndian(UInt16(count))
        } else {
            bytes.append(0xdf)
            appendBigEndian(UInt32(clamping: count))
        }
    }

    public mutating func writeInteger(_ value: Int64) {
        if value >= 0 { return writeUnsigned(UInt64(value)) }
        if value >= -0x20 {
            bytes.append(UInt8(truncatingIfNeeded: value))  // negative fixint: 0xe0...0xff
        } else if value >= -0x80 {
            bytes += [0xd0, UInt8(truncatingIfNeeded: value)]
        } else if value >= -0x8000 {
            bytes.append(0xd1)
            appendBigEndian(UInt16(truncatingIfNeeded: value))
        } else if value >= -0x8000_0000 {
            bytes.append(0xd2)
            appendBigEndian(UInt32(truncatingIfNeeded: value))
        } else {
            bytes.append(0xd3)
            appendBigEndian(UInt64(truncatingIfNeeded: value))
        }
    }

    public mutating func writeUnsigned(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(value))
        } else if value < 0x100 {
            bytes += [0xcc, UInt8(value)]
        } else if value < 0x1_0000 {
            bytes.append(0xcd)
            appendBigEndian(UInt16(value))
        } else if value < 0x1_0000_0000 {
            bytes.append(0xce)
            appendBigEndian(UInt32(value))
        } else {
            bytes.append(0xcf)
            appendBigEndian(value)
        }
    }

    /// A JavaScript number: an integer when it has no fraction (`Math.floor(value) === value`
    /// and finite, notepack's test), else float 64.
    public mutating func writeNumber(_ value: Double) {
        if value.isFinite, value.rounded(.down) == value {
            // -2^63 and 2^64 are exactly representable, so these bounds are exact.
            if value >= 0, value < 18_446_744_073_709_551_616.0 { return writeUnsigned(UInt64(value)) }
            if value < 0, value >= -9_223_372_036_854_775_808.0 { return writeInteger(Int64(value)) }
        }
        bytes.append(0xcb)
        appendBigEndian(value.bitPattern)
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var bigEndian = value.bigEndian
        withUnsafeBytes(of: &bigEndian) { bytes += $0 }
    }
}
