/// CanonicalHeaders and SignedHeaders (SigV4 spec): names lower-cased, values trimmed with inner
/// runs of whitespace folded to one space, sorted by name, repeated names joined with commas in
/// the order given.
///
/// Names and values are written into one byte buffer and sorted as ranges of it, so a request's
/// headers cost a few allocations in total, not two per header.
struct CanonicalHeaders {
    private struct Entry {
        var name: Range<Int>
        var value: Range<Int>
        var order: Int
    }

    private var storage: [UInt8] = []
    private var entries: [Entry] = []
    /// `name:value\n` for each header, sorted (built by ``finish()``).
    private(set) var lines: [UInt8] = []
    /// `name;name;...` (built by ``finish()``).
    private(set) var signedHeaders: [UInt8] = []

    init(capacity: Int) {
        entries.reserveCapacity(capacity)
        storage.reserveCapacity(capacity * 64)
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
        let nameStart = storage.count
        storage.append(contentsOf: header.name.utf8)
        let valueStart = storage.count
        storage.withUnsafeMutableBufferPointer { bytes in
            for index in nameStart..<valueStart { bytes[index] = Self.lowercase(bytes[index]) }
        }
        var value = header.value
        value.withUTF8 { appendFolded($0) }
        entries.append(Entry(name: nameStart..<valueStart, value: valueStart..<storage.count, order: entries.count))
    }

    /// Appends `value` trimmed, inner whitespace runs folded to one space.
    private mutating func appendFolded(_ value: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var end = value.count
        while start < end, Self.isWhitespace(value[start]) { start += 1 }
        while end > start, Self.isWhitespace(value[end - 1]) { end -= 1 }
        // Fast path: no whitespace but single spaces inside, copy as is.
        var isClean = true
        var previousIsSpace = false
        var index = start
        while index < end {
            let byte = value[index]
            if byte > UInt8(ascii: " ") {
                previousIsSpace = false
            } else if byte == UInt8(ascii: " ") {
                if previousIsSpace {
                    isClean = false
                    break
                }
                previousIsSpace = true
            } else if Self.isWhitespace(byte) {
                isClean = false
                break
            } else {
                previousIsSpace = false
            }
            index += 1
        }
        if isClean {
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: value[start..<end]))
            return
        }
        var pendingSpace = false
        for byte in value[start..<end] {
            if Self.isWhitespace(byte) {
                pendingSpace = true
            } else {
                if pendingSpace { storage.append(UInt8(ascii: " ")) }
                pendingSpace = false
                storage.append(byte)
            }
        }
    }

    mutating func finish() {
        storage.withUnsafeBufferPointer { bytes in
            entries.sort { lhs, rhs in
                let left = UnsafeBufferPointer(rebasing: bytes[lhs.name])
                let right = UnsafeBufferPointer(rebasing: bytes[rhs.name])
                if left.elementsEqual(right) { return lhs.order < rhs.order }
                return left.lexicographicallyPrecedes(right)
            }
            lines.reserveCapacity(storage.count + entries.count * 2)
            signedHeaders.reserveCapacity(storage.count)
            var index = 0
            while index < entries.count {
                let name = UnsafeBufferPointer(rebasing: bytes[entries[index].name])
                if !signedHeaders.isEmpty { signedHeaders.append(UInt8(ascii: ";")) }
                signedHeaders.append(contentsOf: name)
                lines.append(contentsOf: name)
                lines.append(UInt8(ascii: ":"))
                lines.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[entries[index].value]))
                index += 1
                while index < entries.count,
                    UnsafeBufferPointer(rebasing: bytes[entries[index].name]).elementsEqual(name)
                {
                    lines.append(UInt8(ascii: ","))
                    lines.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[entries[index].value]))
                    index += 1
                }
                lines.append(UInt8(ascii: "\n"))
            }
        }
    }
}
