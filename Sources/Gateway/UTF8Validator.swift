/// An incremental UTF-8 validator (RFC 3629): fed a text message's bytes piece by piece (the
/// fragments of a WebSocket message, as they arrive), it says at the first invalid byte that the
/// text is not UTF-8, and at the end whether the text stopped in the middle of a sequence.
///
/// Overlong forms, surrogates (U+D800 to U+DFFF) and code points above U+10FFFF are invalid,
/// as are the bytes C0, C1 and F5 to FF. The state is two bytes: how many continuation bytes are
/// still due, and the range the next one must fall in (narrower than 80...BF right after E0,
/// ED, F0 and F4).
struct UTF8Validator {
    /// Continuation bytes still due for the current sequence.
    private var remaining: UInt8 = 0
    /// The range the next continuation byte must fall in.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Whether the text so far ends on a character boundary.
    var isComplete: Bool { remaining == 0 }

    /// Takes the next bytes; false at the first byte that cannot continue valid UTF-8 (the
    /// validator is then left as it was before that byte).
    mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            // ASCII outside a sequence: eight bytes at a time while none has its high bit set.
            if remaining == 0 {
                while end - index >= 8,
                    bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                }
                guard index < end else { break }
            }
            guard consume(byte: bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// Takes one byte; false when it cannot continue valid UTF-8.
    mutating func consume(byte: UInt8) -> Bool {
        if remaining > 0 {
            guard byte >= lower, byte <= upper else { return false }
            remaining -= 1
            lower = 0x80
            upper = 0xBF
            return true
        }
        switch byte {
        case 0x00...0x7F:
            return true
        case 0xC2...0xDF:
            remaining = 1
        case 0xE0:
            remaining = 2
            lower = 0xA0  // below: overlong
        case 0xE1...0xEC, 0xEE...0xEF:
            remaining = 2
        case 0xED:
            remaining = 2
            upper = 0x9F  // above: surrogates
        case 0xF0:
            remaining = 3
            lower = 0x90  // below: overlong
        case 0xF1...0xF3:
            remaining = 3
        case 0xF4:
            remaining = 3
            upper = 0x8F  // above: beyond U+10FFFF
        default:
            // 80...BF without a lead byte, C0 and C1 (overlong), F5...FF.
            return false
        }
        return true
    }
}
