extension CurlTransport {
    /// Checks what libcurl would otherwise send garbled or reject late, and returns the URL's host.
    static func validate(_ request: AWSHTTPRequest) throws(TransportError) -> String {
        guard let host = host(of: request.url) else {
            throw TransportError(
                code: .invalidRequest,
                message: "The URL must be absolute http:// or https:// with a host, without spaces or control characters"
            )
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw TransportError(code: .invalidRequest, message: "Invalid HTTP method for a request to \(host)", host: host)
        }
        if request.method == "HEAD", !request.body.isEmpty {
            throw TransportError(code: .invalidRequest, message: "A HEAD request to \(host) cannot have a body", host: host)
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte) else {
                throw TransportError(code: .invalidRequest, message: "Invalid header name for a request to \(host)", host: host)
            }
            // The value is not quoted: it may be a secret.
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw TransportError(
                    code: .invalidRequest,
                    message: "The value of header \(header.name) contains CR, LF or NUL (request to \(host))",
                    host: host
                )
            }
        }
        return host
    }

    /// The host (and port) of an absolute http(s) URL, or nil if the URL is not one.
    static func host(of url: String) -> String? {
        guard !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        let lowered = url.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else if lowered.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else {
            return nil
        }
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]  // never report credentials
        }
        return authority.isEmpty ? nil : String(authority)
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
