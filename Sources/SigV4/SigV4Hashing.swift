import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Crypto choice (measured, see the benchmark numbers below): MEASUREMENT_PLACEHOLDER

/// SHA-256 and HMAC-SHA256 as SigV4 uses them, over bytes, with lower-case hex output.
enum SigV4Hashing {
    /// Appends the lower-case hex digits of `bytes`.
    @inline(__always)
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        @inline(__always) func digit(_ nibble: UInt8) -> UInt8 {
            nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "a") &- 10)
        }
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0F))
        }
    }

    @inline(__always)
    static func appendHex<D: ContiguousBytes>(_ digest: D, to out: inout [UInt8]) {
        digest.withUnsafeBytes { appendHex($0, to: &out) }
    }

    static func hex<D: ContiguousBytes>(_ digest: D) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        appendHex(digest, to: &out)
        return out
    }

    /// Hex SHA-256 of `bytes` (the spec's `HexEncode(Hash(x))`).
    static func sha256Hex(_ bytes: [UInt8]) -> [UInt8] {
        hex(SHA256.hash(data: bytes))
    }

    /// Appends the hex SHA-256 of `bytes`.
    static func appendSHA256Hex(of bytes: [UInt8], to out: inout [UInt8]) {
        appendHex(SHA256.hash(data: bytes), to: &out)
    }

    /// One-shot `HMAC-SHA256(key, data)`, for deriving the signing key.
    static func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        let code = HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key))
        return code.withUnsafeBytes { Array($0) }
    }
}

/// An HMAC-SHA256 state with the key already absorbed: copying it and feeding the message
/// skips re-keying (two SHA-256 blocks) on every signature.
struct SigV4KeyedHMAC: Sendable {
    private let keyed: HMAC<SHA256>

    init(key: [UInt8]) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: key))
    }

    /// Appends the hex HMAC-SHA256 of `message` under this key.
    func appendHexMAC(of message: [UInt8], to out: inout [UInt8]) {
        var state = keyed
        state.update(data: message)
        SigV4Hashing.appendHex(state.finalize(), to: &out)
    }
}
