import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// Crypto choice: swift-crypto (BoringSSL), measured against OpenSSL 3.0 libcrypto.
//
// Scratch benchmark (not committed), release build, Swift 6.3.1, AMD EPYC with SHA-NI (both
// libraries use it), best of 5 x 200,000, thread CPU time per operation (the machine was shared,
// load average ~13 on 2 cores, so wall-clock times were 2.5-3x these):
//
//   SHA-256 of 2.8 KB               swift-crypto 1.66 us      libcrypto SHA256() 1.87 us, EVP 1.85 us
//   HMAC-SHA256 of 300 B, reused key
//     swift-crypto HMAC<SHA256> copied per message           0.70 us
//     swift-crypto, pre-keyed SHA256 states (used here)      0.44 us
//     libcrypto EVP_MAC_CTX_dup of a keyed context           0.65 us
//     libcrypto HMAC_CTX re-init with the same key           0.31 us (deprecated API; a mutable
//                                                             context per thread, not Sendable)
//
// libcrypto is not clearly faster for our workload (hashing the body dominates and is a tie), and
// swift-crypto is already a dependency (jwt-kit), needs no system-library target and is Sendable.
// So: swift-crypto. What mattered more than the library was reusing keyed state and staying off
// the generic `DataProtocol` paths.

/// SHA-256 and HMAC-SHA256 as SigV4 uses them, over bytes, with lower-case hex output.
enum SigV4Hashing {
    /// Appends the lower-case hex digits of `bytes` (at most 32 bytes: a digest).
    @inline(__always)
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { hex in
            var index = 0
            for byte in bytes.prefix(32) {
                let high = byte >> 4
                let low = byte & 0x0F
                hex[index] = high < 10 ? high &+ 0x30 : high &+ 0x57
                hex[index + 1] = low < 10 ? low &+ 0x30 : low &+ 0x57
                index += 2
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: hex[0..<index]))
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

    @inline(__always)
    static func sha256(_ bytes: [UInt8]) -> SHA256.Digest {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize()
    }

    /// Hex SHA-256 of `bytes` (the spec's `HexEncode(Hash(x))`).
    static func sha256Hex(_ bytes: [UInt8]) -> [UInt8] {
        hex(sha256(bytes))
    }

    /// Appends the hex SHA-256 of `bytes`.
    static func appendSHA256Hex(of bytes: [UInt8], to out: inout [UInt8]) {
        appendHex(sha256(bytes), to: &out)
    }

    /// One-shot `HMAC-SHA256(key, data)`, for deriving the signing key.
    static func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        let code = HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key))
        return code.withUnsafeBytes { Array($0) }
    }
}

/// An HMAC-SHA256 (RFC 2104) state with the key already absorbed: SHA-256 states that have
/// hashed `key XOR ipad` and `key XOR opad`. Signing copies them and feeds the message, which
/// skips re-keying (two SHA-256 blocks) and the generic `DataProtocol` path of `HMAC<SHA256>`.
struct SigV4KeyedHMAC: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    /// - Parameter key: any length (a SigV4 signing key is 32 bytes); longer than a block
    ///   (64 bytes), it is hashed first, as RFC 2104 says.
    init(key: [UInt8]) {
        let key = key.count > 64 ? Array(SigV4Hashing.sha256(key)) : key
        var innerPad = [UInt8](repeating: 0x36, count: 64)
        var outerPad = [UInt8](repeating: 0x5C, count: 64)
        for (index, byte) in key.enumerated() {
            innerPad[index] ^= byte
            outerPad[index] ^= byte
        }
        var inner = SHA256()
        innerPad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        outerPad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// Appends the hex HMAC-SHA256 of `message` under this key.
    func appendHexMAC(of message: [UInt8], to out: inout [UInt8]) {
        var inner = self.inner
        message.withUnsafeBytes { inner.update(bufferPointer: $0) }
        let innerDigest = inner.finalize()
        var outer = self.outer
        innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
        SigV4Hashing.appendHex(outer.finalize(), to: &out)
    }
}
