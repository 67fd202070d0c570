import NIOCore

/// Finds the raw bytes of top-level fields in one JSON object without decoding it, wherever its
/// whitespace falls: a Socket.IO update carries the envelope's `data` exactly as the worker
/// encoded it, and the gateway reads the `id` of an envelope not written byte for byte as the
/// worker writes it.
///
/// A small, strict scanner: strings (with escapes), nested objects and arrays, numbers and
/// literals are skipped by structure; anything malformed yields nil.
public enum EnvelopeFields {
    /// The value bytes of each key in `keys` found at the top level of `json` (other keys are
    /// skipped). nil when `json` is not one well-formed object.
    public static func values(of keys: Set<String>, in json: ByteBuffer) -> [String: ByteBuffer]? {
        scan(json, for: keys, stopWhenAllFound: false)
    }

    /// The value bytes of the first top-level `key` in `json`, read no further than it: the
    /// envelope's `type`, which the worker writes third, costs a scan of its first bytes, whatever
    /// the size of its `data`. nil when the key is absent, or the object is malformed before it
    /// (what follows it is not checked: ``values(of:in:)`` checks the whole object).
    public static func value(of key: String, in json: ByteBuffer) -> ByteBuffer? {
        scan(json, for: [key], stopWhenAllFound: true)?[key]
    }

    /// The value bytes of the top-level `keys` in `json`, read no further than the last of them:
    /// the envelope's `type`, `account` and `region`, which the worker writes before `data`, cost
    /// a scan of its first bytes. A key absent is missing from the result (the whole object is read
    /// then); nil when the object is malformed before every key was found.
    public static func leadingValues(of keys: Set<String>, in json: ByteBuffer) -> [String: ByteBuffer]? {
        scan(json, for: keys, stopWhenAllFound: true)
    }

    private static func scan(_ json: ByteBuffer, for keys: Set<String>, stopWhenAllFound: Bool) -> [String: ByteBuffer]? {
        // In place: no copy of the bytes (an envelope's `data` can be large).
        json.withUnsafeReadableBytes { bytes in scan(json, bytes: bytes, for: keys, stopWhenAllFound: stopWhenAllFound) }
    }

    private static func scan(_ json: ByteBuffer, bytes: UnsafeRawBufferPointer, for keys: Set<String>, stopWhenAllFound: Bool)
        -> [String: ByteBuffer]?
    {
        var scanner = Scanner(bytes: bytes)
        var found: [String: ByteBuffer] = [:]
        scanner.skipWhitespace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "}")) { return scanner.atEndAfterWhitespace ? found : nil }
        while true {
            scanner.skipWhitespace()
            guard let keyRange = scanner.skipString() else { return nil }
            scanner.skipWhitespace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            let valueStart = scanner.index
            guard scanner.skipValue(depth: 0) else { return nil }
            // Keys we look for are plain ASCII: compare the raw bytes between the quotes.
            let key = String(decoding: scanner.bytes[(keyRange.lowerBound + 1)..<(keyRange.upperBound - 1)], as: UTF8.self)
            if keys.contains(key) {
                found[key] = json.getSlice(at: json.readerIndex + valueStart, length: scanner.index - valueStart)
                if stopWhenAllFound, found.count == keys.count { return found }
            }
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
            return scanner.atEndAfterWhitespace ? found : nil
        }
    }

    /// Reads `bytes` only while the buffer that lends them is in scope (`withUnsafeReadableBytes`).
    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        static let maxDepth = 64

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        var atEndAfterWhitespace: Bool {
            mutating get {
                skipWhitespace()
                return index == bytes.count
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Skips a string; returns its range including the quotes.
        mutating func skipString() -> Range<Int>? {
            let start = index
            guard take(UInt8(ascii: "\"")) else { return nil }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return start..<index
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    index += 1
                case 0..<0x20: return nil
                default: continue
                }
            }
            return nil
        }

        mutating func skipValue(depth: Int) -> Bool {
            guard depth < Self.maxDepth, index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return skipString() != nil
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if take(UInt8(ascii: "}")) { return true }
                while true {
                    skipWhitespace()
                    guard skipString() != nil else { return false }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                    guard skipValue(depth: depth + 1) else { return false }
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "}"))
                }
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if take(UInt8(ascii: "]")) { return true }
                while true {
                    skipWhitespace()
                    guard skipValue(depth: depth + 1) else { return false }
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "]"))
                }
            default:
                // A number or a literal: the run of characters that can make one.
                let start = index
                while index < bytes.count {
                    let byte = bytes[index]
                    let isNumberOrLiteral =
                        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                        || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                        || byte == UInt8(ascii: "E")
                    guard isNumberOrLiteral else { break }
                    index += 1
                }
                guard index > start else { return false }
                let token = bytes[start..<index]
                if token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) || token.elementsEqual("null".utf8) {
                    return true
                }
                guard let first = token.first else { return false }
                return first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            }
        }
    }
}
