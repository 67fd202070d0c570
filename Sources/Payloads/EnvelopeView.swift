/// Reads top-level fields of one envelope's JSON in place, without decoding it, wherever its
/// whitespace falls: a Socket.IO update carries the envelope's `data` exactly as the worker encoded
/// it, the bus reads an envelope's `type`, `account` and `region` from its first bytes, and the
/// gateway reads the `id` of an envelope not written byte for byte as the worker writes it
/// (`Envelope` and `EncodedEnvelope` write them; Bus's `EnvelopeFields` is this on a `ByteBuffer`).
///
/// A small, strict scanner: strings (with escapes), nested objects and arrays (at most 64 deep),
/// numbers and literals are skipped by structure; anything malformed yields nil.
public enum EnvelopeView {
    /// How far to read.
    public enum Extent: Sendable {
        /// The whole object, which must be well formed to its end.
        case wholeObject
        /// No further than the last of the keys: an envelope's leading fields cost a scan of its
        /// first bytes, whatever the size of its `data`. What follows is not checked; a key absent
        /// is missing from the result (the whole object is read then).
        case untilAllFound
    }

    /// The byte range in `bytes` of the value of each key in `keys` found at the top level of the
    /// one JSON object `bytes` holds (other keys are skipped); nil when it is not one well-formed
    /// object (to the end, or as far as `extent` reads).
    public static func valueRanges(
        of keys: Set<String>, in bytes: UnsafeRawBufferPointer, reading extent: Extent = .wholeObject
    ) -> [String: Range<Int>]? {
        var scanner = Scanner(bytes: bytes)
        var found: [String: Range<Int>] = [:]
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
            let key = String(decoding: bytes[(keyRange.lowerBound + 1)..<(keyRange.upperBound - 1)], as: UTF8.self)
            if keys.contains(key) {
                found[key] = valueStart..<scanner.index
                if extent == .untilAllFound, found.count == keys.count { return found }
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
