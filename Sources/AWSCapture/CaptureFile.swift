import AWSCore
import Foundation
import TextFormats

/// Reads and writes the capture file format, `aws-realtime-capture/1` (see `README-captures.md`).
public enum CaptureFile {
    public static let formatVersion = "aws-realtime-capture/1"
    /// Capture files larger than this are refused: they are test data, not archives.
    public static let maximumFileSize = 16 * 1024 * 1024

    // MARK: Encoding

    /// The file text for a capture: pretty JSON, bodies as JSON, text or base64, whichever is exact.
    public static func encode(_ capture: Capture) -> [UInt8] {
        var members: [JSONDocument.Member] = [.init("format", .string(formatVersion))]
        if let note = capture.note { members.append(.init("note", .string(note))) }
        members.append(.init("request", encodeRequest(capture.request)))
        if let response = capture.response {
            members.append(.init("response", encodeResponse(response)))
        }
        if let transportError = capture.transportError {
            members.append(.init("transportError", .string(transportError)))
        }
        return Array((JSONDocument.object(members).prettyText + "\n").utf8)
    }

    static func encodeRequest(_ request: CapturedRequest) -> JSONDocument {
        var members: [JSONDocument.Member] = [.init("method", .string(request.method))]
        if let host = request.host { members.append(.init("host", .string(host))) }
        members.append(.init("path", .string(request.path)))
        if !request.query.isEmpty { members.append(.init("query", .string(request.query))) }
        members.append(.init("headers", encodeHeaders(request.headers)))
        if let body = encodeBody(request.body) { members.append(.init("body", body)) }
        return .object(members)
    }

    static func encodeResponse(_ response: CapturedResponse) -> JSONDocument {
        var members: [JSONDocument.Member] = [
            .init("status", .number(String(response.status))),
            .init("headers", encodeHeaders(response.headers)),
        ]
        if let body = encodeBody(response.body) { members.append(.init("body", body)) }
        return .object(members)
    }

    static func encodeHeaders(_ headers: [AWSHTTPHeader]) -> JSONDocument {
        .array(headers.map { .array([.string($0.name), .string($0.value)]) })
    }

    /// `{"json": …}` when the body is compact JSON that re-serialises to the same bytes,
    /// `{"text": …}` for other UTF-8 (a list of lines when it has several), `{"base64": …}` otherwise.
    public static func encodeBody(_ body: [UInt8]) -> JSONDocument? {
        guard !body.isEmpty else { return nil }
        guard let text = String(validating: body, as: UTF8.self) else {
            return .object([.init("base64", .string(Data(body).base64EncodedString()))])
        }
        if let json = try? JSONDocument.parse(body), json.compactText == text {
            return .object([.init("json", json)])
        }
        if text.contains("\n") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return .object([.init("text", .array(lines.map { .string(String($0)) }))])
        }
        return .object([.init("text", .string(text))])
    }

    // MARK: Decoding

    /// Parses one capture file. `name` is kept on the capture and used in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws(CaptureError) -> Capture {
        let document: JSONDocument
        do {
            document = try JSONDocument.parse(bytes)
        } catch {
            throw CaptureError(.invalidCapture, "not valid JSON: \(error)", file: name)
        }
        guard document["format"]?.stringValue == formatVersion else {
            throw CaptureError(.invalidCapture, "\"format\" must be \"\(formatVersion)\"", file: name)
        }
        guard let requestValue = document["request"] else {
            throw CaptureError(.invalidCapture, "missing \"request\"", file: name)
        }
        let request = try decodeRequest(requestValue, name: name)
        var response: CapturedResponse?
        if let responseValue = document["response"], responseValue != .null {
            response = try decodeResponse(responseValue, name: name)
        }
        let transportError = document["transportError"]?.stringValue
        guard response != nil || transportError != nil else {
            throw CaptureError(.invalidCapture, "needs a \"response\" or a \"transportError\"", file: name)
        }
        return Capture(
            name: name,
            note: document["note"]?.stringValue,
            request: request,
            response: response,
            transportError: transportError
        )
    }

    static func decodeRequest(_ value: JSONDocument, name: String) throws(CaptureError) -> CapturedRequest {
        guard let method = value["method"]?.stringValue, !method.isEmpty else {
            throw CaptureError(.invalidCapture, "request needs a \"method\" string", file: name)
        }
        guard let path = value["path"]?.stringValue, path.hasPrefix("/") else {
            throw CaptureError(.invalidCapture, "request needs a \"path\" string starting with /", file: name)
        }
        return CapturedRequest(
            method: method,
            host: value["host"]?.stringValue,
            path: path,
            query: value["query"]?.stringValue ?? "",
            headers: try decodeHeaders(value["headers"], name: name),
            body: try decodeBody(value["body"], name: name)
        )
    }

    static func decodeResponse(_ value: JSONDocument, name: String) throws(CaptureError) -> CapturedResponse {
        guard case .number(let text) = value["status"], let status = Int(text), (100...599).contains(status) else {
            throw CaptureError(.invalidCapture, "response needs a \"status\" integer 100-599", file: name)
        }
        return CapturedResponse(
            status: status,
            headers: try decodeHeaders(value["headers"], name: name),
            body: try decodeBody(value["body"], name: name)
        )
    }

    static func decodeHeaders(_ value: JSONDocument?, name: String) throws(CaptureError) -> [AWSHTTPHeader] {
        guard let value else { return [] }
        guard case .array(let pairs) = value else {
            throw CaptureError(.invalidCapture, "\"headers\" must be a list of [name, value] pairs", file: name)
        }
        var headers: [AWSHTTPHeader] = []
        for pair in pairs {
            guard case .array(let parts) = pair, parts.count == 2, let headerName = parts[0].stringValue,
                let headerValue = parts[1].stringValue, !headerName.isEmpty
            else {
                throw CaptureError(.invalidCapture, "each header must be a [name, value] pair of strings", file: name)
            }
            headers.append(AWSHTTPHeader(headerName, headerValue))
        }
        return headers
    }

    /// Accepts `{"json": v}`, `{"text": "…"}`, `{"text": ["line", …]}`, `{"base64": "…"}`, a bare string
    /// (text), or nothing (empty body).
    public static func decodeBody(_ value: JSONDocument?, name: String) throws(CaptureError) -> [UInt8] {
        switch value {
        case nil, .null?:
            return []
        case .string(let text)?:
            return Array(text.utf8)
        case .object(let members)? where members.count == 1:
            let member = members[0]
            switch (member.key, member.value) {
            case ("json", let json):
                return Array(json.compactText.utf8)
            case ("text", .string(let text)):
                return Array(text.utf8)
            case ("text", .array(let lines)):
                var text: [String] = []
                for line in lines {
                    guard let string = line.stringValue else {
                        throw CaptureError(.invalidCapture, "\"text\" lines must all be strings", file: name)
                    }
                    text.append(string)
                }
                return Array(text.joined(separator: "\n").utf8)
            case ("base64", .string(let encoded)):
                guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                    throw CaptureError(.invalidCapture, "\"base64\" body is not valid base64", file: name)
                }
                return Array(data)
            default:
                break
            }
        default:
            break
        }
        throw CaptureError(
            .invalidCapture,
            "a body is {\"json\": value}, {\"text\": string or [lines]}, {\"base64\": string} or a string",
            file: name
        )
    }
}
