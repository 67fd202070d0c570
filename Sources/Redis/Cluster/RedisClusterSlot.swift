/// Redis Cluster's key space: 16,384 hash slots. A key's slot is CRC16 (XMODEM) of the key, or
/// of its hash tag (the bytes between the first `{` and the next `}`, when not empty), modulo
/// 16,384 (the cluster specification, "Keys distribution model").
public enum RedisClusterSlot {
    public static let count = 16_384

    /// The slot of `key`, read as bytes.
    public static func of<Bytes: Collection<UInt8>>(key: Bytes) -> Int {
        let tagged = Self.hashTag(of: key) ?? key[...]
        return Int(Self.crc16(tagged) & 0x3FFF)
    }

    /// The slot of a string key.
    public static func of(key: String) -> Int {
        Self.of(key: Array(key.utf8))
    }

    /// The hash tag of `key`: the bytes between the first `{` and the first `}` after it, when
    /// there are any; `nil` when the key hashes whole.
    public static func hashTag<Bytes: Collection<UInt8>>(of key: Bytes) -> Bytes.SubSequence? {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        let start = key.index(after: open)
        guard let close = key[start...].firstIndex(of: UInt8(ascii: "}")), close != start else { return nil }
        return key[start..<close]
    }

    /// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as the cluster uses it.
    static func crc16<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ Self.table[Int((crc >> 8) ^ UInt16(byte)) & 0xFF]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
