/// gzip without compression (deflate "stored" blocks): valid for any gzip decoder and needs no zlib.
enum StoredGzip {
    static func encode(_ data: [UInt8]) -> [UInt8] {
        // RFC 1952 header: magic, CM=8 (deflate), no flags, no mtime, XFL 0, OS unknown.
        var output: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        output.reserveCapacity(data.count + data.count / 65535 * 5 + 32)
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let isFinal = offset + count == data.count
            // RFC 1951 3.2.4: BFINAL bit, BTYPE 00, padded to the byte; then LEN and NLEN, little-endian.
            output.append(isFinal ? 1 : 0)
            let length = UInt16(count)
            output += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            output += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        output += littleEndianBytes(crc32(data))
        output += littleEndianBytes(UInt32(truncatingIfNeeded: data.count))
        return output
    }

    private static func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1
        }
        return crc
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
