import CCurl

extension CurlTransfer {
    /// Headers libcurl would add on its own and the transport removes unless the caller set them:
    /// `Expect: 100-continue` (large bodies), `Accept: */*`, and
    /// `Content-Type: application/x-www-form-urlencoded` (any `CURLOPT_POSTFIELDS` body). A signed
    /// request must reach the server with exactly the headers it was signed with.
    static let suppressedDefaultHeaders = ["Expect", "Accept", "Content-Type"]

    /// Sets every option of one exchange on a fresh or reset easy handle. Runs on the curl thread.
    func configure(
        _ easy: UnsafeMutableRawPointer,
        for request: AWSHTTPRequest,
        configuration: CurlTransportConfiguration
    ) throws(TransportError) {
        let unmanagedSelf = Unmanaged.passUnretained(self).toOpaque()

        try check(aws_curl_easy_setopt_string(easy, CURLOPT_URL, request.url), "URL")
        // Only HTTP(S), for the request and for any redirect (none are followed).
        try check(aws_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        try check(aws_curl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "protocols")
        try check(aws_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1), "HTTP/1.1")
        // Never raise signals from a library thread (libcurl uses threaded DNS, so timeouts still work).
        try check(aws_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(aws_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "TCP keep-alive")
        try check(aws_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")

        // TLS: verification stays on whatever the configuration says; only the trust store changes.
        try check(aws_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1), "VERIFYPEER")
        try check(aws_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2), "VERIFYHOST")
        if let caFile = configuration.caFile {
            try check(aws_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile), "CA file")
        }

        // Time and size limits.
        try check(
            aws_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.curlMilliseconds),
            "connect timeout"
        )
        let total = request.timeout ?? configuration.totalTimeout
        try check(aws_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, total.curlMilliseconds), "timeout")
        // Refuses a too large Content-Length before reading the body; the write callback caps the rest.
        try check(
            aws_curl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)),
            "max file size"
        )

        // Every encoding libcurl was built with (gzip, deflate, br, zstd here); the body is decoded.
        try check(aws_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""), "accept encoding")

        // Response callbacks.
        try check(
            aws_curl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
                guard let userdata else { return 0 }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
                return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
            },
            "write callback"
        )
        try check(aws_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, unmanagedSelf), "write data")
        try check(
            aws_curl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
                guard let userdata else { return 0 }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
                return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: size * count))
            },
            "header callback"
        )
        try check(aws_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, unmanagedSelf), "header data")

        try configureMethodAndBody(easy, for: request)
        try configureHeaders(easy, for: request, userAgent: configuration.userAgent)
    }

    private func configureMethodAndBody(_ easy: UnsafeMutableRawPointer, for request: AWSHTTPRequest) throws(TransportError) {
        let method = request.method
        if method == "HEAD" {
            try check(aws_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "HEAD")
        } else if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            // The body is sent as is with a Content-Length, never chunked and never copied by libcurl.
            try check(
                aws_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
                "body size"
            )
            try check(aws_curl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, keepRequestBody(request.body)), "body")
            if method != "POST" {
                try check(aws_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method), "method")
            }
        } else {
            try check(aws_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "GET")
            if method != "GET" {
                try check(aws_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method), "method")
            }
        }
    }

    private func configureHeaders(
        _ easy: UnsafeMutableRawPointer,
        for request: AWSHTTPRequest,
        userAgent: String?
    ) throws(TransportError) {
        let presentNames = Set(request.headers.map { $0.name.lowercased() })
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + Self.suppressedDefaultHeaders.count)
        for header in request.headers {
            // "Name:" would remove the header; "Name;" is libcurl's spelling of an empty value.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        for name in Self.suppressedDefaultHeaders where !presentNames.contains(name.lowercased()) {
            lines.append("\(name):")
        }
        guard let list = makeHeaderList(lines) else {
            throw TransportError(code: .other, message: "Out of memory building the header list for \(host)", host: host)
        }
        try check(aws_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list), "headers")
        if let userAgent, !presentNames.contains("user-agent") {
            try check(aws_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, userAgent), "user agent")
        }
    }

    private func check(_ code: CURLcode, _ option: String) throws(TransportError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw TransportError(
                code: code == CURLE_UNKNOWN_OPTION || code == CURLE_NOT_BUILT_IN ? .other : .invalidRequest,
                message: "Could not set the \(option) option for a request to \(host): \(text)",
                host: host,
                curlCode: Int(code.rawValue)
            )
        }
    }
}

extension Duration {
    /// Whole milliseconds for libcurl's `*_MS` options, at least 1 (0 would mean "no timeout").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 1 }
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow, milliseconds < Int64(Int.max) - 1000 else { return Int.max }
        return max(1, Int(milliseconds + attoseconds / 1_000_000_000_000_000))
    }
}
