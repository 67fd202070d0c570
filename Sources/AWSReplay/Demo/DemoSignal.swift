import Foundation

/// Deterministic "randomness" of the demo: the same (key, slot) always gives the same number,
/// so a value or an event is stable across polls while new slots bring new ones.
enum DemoSignal {
    /// A well-mixed 64-bit hash of `text` and `slot` (FNV-1a, then SplitMix64's finaliser).
    static func hash(_ text: String, _ slot: Int) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        value ^= UInt64(bitPattern: Int64(slot))
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }

    /// A number in [-1, 1) fixed by (key, slot).
    static func noise(_ key: String, _ slot: Int) -> Double {
        Double(hash(key, slot) >> 11) / Double(1 << 52) - 1
    }

    /// A metric's value at `seconds`: `base` plus a wave of period `wavePeriod` whose phase comes
    /// from the key, plus noise that changes every `noisePeriod` seconds. Never negative.
    static func value(
        key: String, at seconds: Double, base: Double, amplitude: Double, noise: Double, wavePeriod: Double = 1800,
        noisePeriod: Double = 5
    ) -> Double {
        let phase = Double(hash(key, 0) % 6283) / 1000
        let wave = amplitude * sin(2 * Double.pi * seconds / wavePeriod + phase)
        let jitter = noise * self.noise(key, Int((seconds / noisePeriod).rounded(.down)))
        return max(0, base + wave + jitter)
    }

    /// A hex id of `length` characters fixed by (key, slot).
    static func hex(_ key: String, _ slot: Int, length: Int) -> String {
        var text = ""
        var round = 0
        while text.count < length {
            let part = String(hash(key + "#\(round)", slot), radix: 16)
            text += String(repeating: "0", count: 16 - part.count) + part
            round += 1
        }
        return String(text.prefix(length))
    }

    /// A UUID-shaped id fixed by (key, slot).
    static func uuid(_ key: String, _ slot: Int) -> String {
        let hex = Array(hex(key, slot, length: 32))
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-4" + String(hex[13..<16]) + "-a" + String(hex[17..<20]) + "-"
            + String(hex[20..<32])
    }
}
