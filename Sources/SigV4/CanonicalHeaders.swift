/// CanonicalHeaders and SignedHeaders (SigV4 spec): names lower-cased, values trimmed with inner
/// runs of whitespace folded to one space, sorted by name, repeated names joined with commas in
/// the order given.
struct CanonicalHeaders {
    private struct Entry {
        var name: [UInt8]
        var value: [UInt8]
        var order: Int
    }

    private var entries: [Entry] = []
    /// `name:value\n` for each header, sorted (built by ``finish()``).
    private(set) var lines: [UInt8] = []
    /// `name;name;...` (built by ``finish()``).
    private(set) var signedHeaders: [UInt8] = []

    init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    @inline(__always)
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    mutating func add(_ header: SigV4Header) {
        var name: [UInt8] = []
        name.reserveCapacity(header.name.utf8.count)
        for byte in header.name.utf8 { name.append(Self.lowercase(byte)) }

        var value: [UInt8] = []
        value.reserveCapacity(header.value.utf8.count)
        var pendingSpace = false
        for byte in header.value.utf8 {
            if Self.isWhitespace(byte) {
                pendingSpace = !value.isEmpty
            } else {
                if pendingSpace { value.append(UInt8(ascii: " ")) }
                pendingSpace = false
                value.append(byte)
            }
        }
        entries.append(Entry(name: name, value: value, order: entries.count))
    }

    mutating func finish() {
        entries.sort { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.lexicographicallyPrecedes(rhs.name) }
            return lhs.order < rhs.order
        }
        var size = 0
        for entry in entries { size += entry.name.count + entry.value.count + 2 }
        lines.reserveCapacity(size)
        signedHeaders.reserveCapacity(size)
        var index = 0
        while index < entries.count {
            let name = entries[index].name
            if !signedHeaders.isEmpty { signedHeaders.append(UInt8(ascii: ";")) }
            signedHeaders.append(contentsOf: name)
            lines.append(contentsOf: name)
            lines.append(UInt8(ascii: ":"))
            lines.append(contentsOf: entries[index].value)
            index += 1
            while index < entries.count, entries[index].name == name {
                lines.append(UInt8(ascii: ","))
                lines.append(contentsOf: entries[index].value)
                index += 1
            }
            lines.append(UInt8(ascii: "\n"))
        }
    }
}
