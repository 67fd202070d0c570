import NIOCore

extension RedisSubscriberBus {
    /// The `id` of an envelope, or why it has none.
    ///
    /// The worker writes `{"v":1,"stream":...,"type":...,"id":"<id>",...}`: its bytes take the
    /// fast path, a scan of the first bytes for `"id":"` before any nested object or array (in a
    /// JSON string a quote is escaped, so the pattern is always a key). Anything else (spaces
    /// around colons, other key orders, a publisher of its own) is read as JSON.
    static func readEnvelopeID(_ payload: ByteBuffer) -> Result<BusMessageID, BusDropReason> {
        if let id = workerEnvelopeID(payload) { return .success(id) }
        guard let fields = EnvelopeFields.values(of: ["id"], in: payload) else { return .failure(.notJSON) }
        guard let value = fields["id"] else { return .failure(.missingID) }
        let bytes = value.readableBytesView
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\""),
            let id = BusMessageID(String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self))
        else { return .failure(.badID) }
        return .success(id)
    }

    /// `readEnvelopeID`'s id, nil when there is none.
    static func envelopeID(_ payload: ByteBuffer) -> BusMessageID? {
        try? readEnvelopeID(payload).get()
    }

    /// The fast path: nil when the bytes are not laid out as the worker writes them.
    private static func workerEnvelopeID(_ payload: ByteBuffer) -> BusMessageID? {
        let marker = Array(#""id":""#.utf8)
        return payload.withUnsafeReadableBytes { bytes -> BusMessageID? in
            guard bytes.count > marker.count, bytes[0] == UInt8(ascii: "{") else { return nil }
            var index = 1
            let searchEnd = min(bytes.count - marker.count, 256)
            while index <= searchEnd {
                let byte = bytes[index]
                // A nested value: an "id" inside it is not the envelope's.
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { return nil }
                if byte == marker[0], bytes[index..<index + marker.count].elementsEqual(marker) {
                    let start = index + marker.count
                    var end = start
                    while end < bytes.count, end - start < 41, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                    guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
                    return BusMessageID(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                }
                index += 1
            }
            return nil
        }
    }
}
