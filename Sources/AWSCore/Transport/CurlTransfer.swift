import CCurl

/// One request while libcurl runs it: the easy handle's callback target and the memory libcurl
/// borrows (request body, header list, error buffer) until the transfer ends.
///
/// Confined to the curl thread: created, driven and released there, never shared.
final class CurlTransfer {
    typealias Continuation = CheckedContinuation<AWSHTTPResponse, any Error>

    let id: UInt64
    let host: String
    let continuation: Continuation
    private let maxResponseBytes: Int

    private(set) var responseHeaders: [AWSHTTPHeader] = []
    private(set) var responseBody: [UInt8] = []
    /// Set by a callback that aborted the transfer because of a size cap.
    private(set) var isResponseTooLarge = false
    private var responseHeaderBytes = 0

    /// Cap on the response's header lines together (libcurl caps each line at 100 KiB, not their sum).
    static let maxResponseHeaderBytes = 256 * 1024

    /// libcurl writes its error text here (`CURLOPT_ERRORBUFFER`).
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The request headers (`CURLOPT_HTTPHEADER`), freed after the handle was reset.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The request body (`CURLOPT_POSTFIELDS`), which libcurl reads in place.
    private var requestBody: UnsafeMutableRawBufferPointer?

    init(id: UInt64, host: String, continuation: Continuation, maxResponseBytes: Int) {
        self.id = id
        self.host = host
        self.continuation = continuation
        self.maxResponseBytes = maxResponseBytes
        let size = Int(CURL_ERROR_SIZE)
        self.errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        self.errorBuffer.initialize(repeating: 0, count: size)
    }

    deinit {
        curl_slist_free_all(headerList)
        requestBody?.deallocate()
        errorBuffer.deallocate()
    }

    /// The libcurl error text of the last failure, empty if libcurl wrote none.
    var errorText: String {
        String(cString: errorBuffer)
    }

    // MARK: Request memory

    /// Keeps `lines` as a `curl_slist` owned by this transfer.
    func makeHeaderList(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
        curl_slist_free_all(headerList)
        headerList = nil
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                curl_slist_free_all(headerList)
                headerList = nil
                return nil
            }
            headerList = appended
        }
        return headerList
    }

    /// Copies `body` into memory owned by this transfer and returns its address for `CURLOPT_POSTFIELDS`.
    func keepRequestBody(_ body: [UInt8]) -> UnsafeMutableRawPointer? {
        requestBody?.deallocate()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
        body.withUnsafeBytes { source in
            if let base = source.baseAddress, source.count > 0 {
                buffer.baseAddress?.copyMemory(from: base, byteCount: source.count)
            }
        }
        requestBody = buffer
        return buffer.baseAddress
    }

    // MARK: Callbacks

    /// `CURLOPT_WRITEFUNCTION`: appends body bytes (already decoded); aborts past the size cap.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard responseBody.count + bytes.count <= maxResponseBytes else {
            isResponseTooLarge = true
            return 0  // anything other than bytes.count makes libcurl fail with CURLE_WRITE_ERROR
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// `CURLOPT_HEADERFUNCTION`: one header line per call, status lines and the blank line included.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        responseHeaderBytes += bytes.count
        guard responseHeaderBytes <= Self.maxResponseHeaderBytes else {
            isResponseTooLarge = true
            return 0
        }
        // Strip the line end on bytes: "\r\n" is a single Character in Swift.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0D || bytes[end - 1] == 0x0A {
            end -= 1
        }
        let line = Substring(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response starts (after a 1xx, or a redirect if one were followed): keep only its headers.
            responseHeaders.removeAll(keepingCapacity: true)
        } else if let first = line.first, first == " " || first == "\t" {
            // Obsolete line folding: continues the previous header's value.
            if !responseHeaders.isEmpty {
                let continued = line.trimmingSpaces()
                responseHeaders[responseHeaders.count - 1].value += " " + continued
            }
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon]
            let value = line[line.index(after: colon)...].trimmingSpaces()
            responseHeaders.append(AWSHTTPHeader(String(name), String(value)))
        }
        return bytes.count
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var result = self.drop { $0 == " " || $0 == "\t" }
        while let last = result.last, last == " " || last == "\t" {
            result.removeLast()
        }
        return result
    }
}
