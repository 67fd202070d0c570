/// Random identifiers for Engine.IO sessions and Socket.IO sockets: 120 bits from the system's
/// secure generator, base64url (20 characters), like the reference server's `base64id`.
enum SessionID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        for _ in 0..<20 { bytes.append(alphabet[Int(generator.next() % 64)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
