/// Percent-encoding as SigV4 defines it: RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// are kept, every other byte of the UTF-8 form becomes `%XX` with upper-case hex.
enum SigV4URIEncoding {
    static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends `bytes` percent-encoded; `keepSlash` leaves `/` as is (paths).
    @inline(__always)
    static func append<S: Sequence<UInt8>>(_ bytes: S, to out: inout [UInt8], keepSlash: Bool = false) {
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
    }

    static func needsEncoding<S: Sequence<UInt8>>(_ bytes: S, keepSlash: Bool) -> Bool {
        bytes.contains { !(isUnreserved($0) || (keepSlash && $0 == UInt8(ascii: "/"))) }
    }

    /// A raw path (`/my key`) in URL form (`/my%20key`): each segment encoded once.
    static func encodePath(_ path: String) -> String {
        if !needsEncoding(path.utf8, keepSlash: true) { return path }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count * 3)
        append(path.utf8, to: &out, keepSlash: true)
        return String(decoding: out, as: UTF8.self)
    }

    /// A query value or name percent-encoded (`/` too).
    static func encode(_ string: String) -> String {
        if !needsEncoding(string.utf8, keepSlash: false) { return string }
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count * 3)
        append(string.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Canonical query string (SigV4 spec, "CanonicalQueryString"): each name and value encoded,
    /// pairs sorted by encoded name, then by encoded value (byte order), joined with `&`.
    static func canonicalQuery(_ items: [SigV4QueryItem]) -> [UInt8] {
        var out: [UInt8] = []
        appendCanonicalQuery(items, to: &out)
        return out
    }

    static func appendCanonicalQuery(_ items: [SigV4QueryItem], to out: inout [UInt8]) {
        if items.isEmpty { return }
        var encoded: [(name: [UInt8], value: [UInt8])] = []
        encoded.reserveCapacity(items.count)
        for item in items {
            var name: [UInt8] = []
            name.reserveCapacity(item.name.utf8.count)
            append(item.name.utf8, to: &name)
            var value: [UInt8] = []
            value.reserveCapacity(item.value.utf8.count)
            append(item.value.utf8, to: &value)
            encoded.append((name, value))
        }
        encoded.sort { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.lexicographicallyPrecedes(rhs.name) }
            return lhs.value.lexicographicallyPrecedes(rhs.value)
        }
        for (index, pair) in encoded.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.name)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
    }

    /// Canonical URI (SigV4 spec, "CanonicalURI") of a URL path.
    ///
    /// With double encoding (every service but S3) the URL path, already percent-encoded once, is
    /// encoded again, so `%20` signs as `%2520`; with single encoding (S3) it is signed as in the URL.
    /// Normalization (every service but S3) removes `.` and `..` segments and empty segments
    /// (`//`) as RFC 3986 section 5.2.4 does, keeping a trailing slash.
    static func appendCanonicalURI(
        _ encodedPath: String,
        options: SigV4Options,
        to out: inout [UInt8]
    ) {
        let isDouble = options.uriEncoding == .double
        if encodedPath.isEmpty {
            out.append(UInt8(ascii: "/"))
            return
        }
        if options.pathNormalization.isEnabled, needsNormalization(encodedPath.utf8) {
            let normalized = normalize(encodedPath)
            appendPath(normalized, isDouble: isDouble, to: &out)
        } else {
            appendPath(encodedPath.utf8, isDouble: isDouble, to: &out)
        }
    }

    private static func appendPath<S: Sequence<UInt8>>(_ path: S, isDouble: Bool, to out: inout [UInt8]) {
        if isDouble {
            append(path, to: &out, keepSlash: true)
        } else {
            // Already encoded: keep `%XX` escapes, encode only what a URL cannot carry raw.
            for byte in path {
                if isUnreserved(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "%") {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(upperHex[Int(byte >> 4)])
                    out.append(upperHex[Int(byte & 0x0F)])
                }
            }
        }
    }

    /// Whether the path has a `//`, a `.` or `..` segment, or does not start with `/`.
    static func needsNormalization<C: Collection<UInt8>>(_ path: C) -> Bool {
        guard path.first == UInt8(ascii: "/") else { return true }
        var previous: UInt8 = 0
        var dotsInSegment = 0
        var segmentLength = 0
        for byte in path {
            if byte == UInt8(ascii: "/") {
                if previous == UInt8(ascii: "/") { return true }
                if segmentLength > 0, dotsInSegment == segmentLength, segmentLength <= 2 { return true }
                dotsInSegment = 0
                segmentLength = 0
            } else {
                segmentLength += 1
                if byte == UInt8(ascii: ".") { dotsInSegment += 1 }
            }
            previous = byte
        }
        return segmentLength > 0 && dotsInSegment == segmentLength && segmentLength <= 2
    }

    /// Removes `.`, `..` and empty segments; keeps a trailing slash.
    static func normalize(_ path: String) -> [UInt8] {
        let bytes = Array(path.utf8)
        var segments: [ArraySlice<UInt8>] = []
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual([UInt8(ascii: ".")]) { continue }
            if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                _ = segments.popLast()
                continue
            }
            segments.append(segment)
        }
        var out: [UInt8] = [UInt8(ascii: "/")]
        for (index, segment) in segments.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: segment)
        }
        if !segments.isEmpty, bytes.last == UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        return out
    }
}
