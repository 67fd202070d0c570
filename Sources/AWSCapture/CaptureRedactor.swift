import AWSCore
/// Removes credentials from an exchange before it is written to disk.
///
/// What it redacts (each value becomes `REDACTED`, access key ids become `AKIAREDACTEDREDACTED` or
/// `ASIAREDACTEDREDACTED` so parsers still see their shape):
/// - request headers `Authorization`, `Proxy-Authorization`, `X-Amz-Security-Token`,
///   `X-aws-ec2-metadata-token`, `Cookie`, and response header `Set-Cookie`;
/// - query and form parameters `X-Amz-Security-Token`, `X-Amz-Signature`, `X-Amz-Credential`,
///   `WebIdentityToken`, `TokenCode`;
/// - XML elements `SecretAccessKey`, `SessionToken`, `AccessKeyId`, `Token`, `WebIdentityToken`
///   (STS AssumeRole* responses);
/// - JSON members `SecretAccessKey`, `Token`, `SessionToken`, `AccessKeyId`, `WebIdentityToken`
///   (compared case-insensitively: ECS and IMDS credential documents, SSO role credentials);
/// - the body of the IMDSv2 token response (`PUT /latest/api/token`);
/// - AWS access key ids (`AKIA`/`ASIA` + 16 characters) anywhere else: headers, path, query, bodies.
public struct CaptureRedactor: Sendable {
    public static let placeholder = "REDACTED"

    public var secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-amz-security-token", "x-aws-ec2-metadata-token", "cookie",
        "set-cookie",
    ]
    public var secretParameters: Set<String> = [
        "x-amz-security-token", "x-amz-signature", "x-amz-credential", "webidentitytoken", "tokencode",
    ]
    public var secretXMLElements: [String] = ["SecretAccessKey", "SessionToken", "AccessKeyId", "Token", "WebIdentityToken"]
    public var secretJSONMembers: Set<String> = ["secretaccesskey", "token", "sessiontoken", "accesskeyid", "webidentitytoken"]

    public init() {}

    public func redact(_ capture: Capture) -> Capture {
        var capture = capture
        let isIMDSToken = capture.request.method.uppercased() == "PUT" && capture.request.path == "/latest/api/token"
        capture.request.headers = capture.request.headers.map(redact)
        capture.request.path = Self.redactAccessKeyIDs(capture.request.path)
        capture.request.query = redactParameters(capture.request.query)
        capture.request.body = redactBody(capture.request.body, isForm: true)
        if var response = capture.response {
            response.headers = response.headers.map(redact)
            response.body = isIMDSToken && !response.body.isEmpty ? Array(Self.placeholder.utf8) : redactBody(response.body)
            capture.response = response
        }
        if let error = capture.transportError { capture.transportError = Self.redactAccessKeyIDs(error) }
        if let note = capture.note { capture.note = Self.redactAccessKeyIDs(note) }
        return capture
    }

    func redact(_ header: AWSHTTPHeader) -> AWSHTTPHeader {
        let name = header.name.lowercased()
        guard secretHeaders.contains(name) else { return AWSHTTPHeader(header.name, Self.redactAccessKeyIDs(header.value)) }
        if name == "authorization", header.value.hasPrefix("AWS4-") {
            return AWSHTTPHeader(header.name, Self.redactSigV4Authorization(header.value))
        }
        return AWSHTTPHeader(header.name, Self.placeholder)
    }

    /// Keeps the algorithm, the credential scope and the signed headers (useful to a reader);
    /// drops the access key id and the signature.
    static func redactSigV4Authorization(_ value: String) -> String {
        let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { part -> String in
            let trimmed = part.trimmingCaptureSpaces()
            if let range = trimmed.range(of: "Credential=") {
                let credential = trimmed[range.upperBound...]
                let scope = credential.firstIndex(of: "/").map { String(credential[$0...]) } ?? ""
                return String(trimmed[..<range.upperBound]) + placeholder + scope
            }
            if trimmed.hasPrefix("Signature=") { return "Signature=" + placeholder }
            return trimmed
        }
        return parts.joined(separator: ", ")
    }

    func redactParameters(_ query: String) -> String {
        guard !query.isEmpty else { return query }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return Self.redactAccessKeyIDs(String(pair)) }
            let name = pair[..<equals]
            let decodedName = CaptureForm.percentDecode(String(name)).lowercased()
            if secretParameters.contains(decodedName) { return "\(name)=\(Self.placeholder)" }
            return Self.redactAccessKeyIDs(String(pair))
        }
        return pairs.joined(separator: "&")
    }

    func redactBody(_ body: [UInt8], isForm: Bool = false) -> [UInt8] {
        guard !body.isEmpty else { return body }
        guard var text = String(validating: body, as: UTF8.self) else { return Self.redactAccessKeyIDs(body) }
        if isForm, !text.contains("{"), !text.contains("<"), text.contains("=") { text = redactParameters(text) }
        for element in secretXMLElements { text = Self.redactXMLElement(element, in: text) }
        text = redactJSONMembers(in: text)
        return Array(Self.redactAccessKeyIDs(text).utf8)
    }

    /// Replaces the text content of every `<name>…</name>` (namespace prefixes and attributes allowed).
    static func redactXMLElement(_ name: String, in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "<") {
            output += rest[..<open.lowerBound]
            let tagStart = rest[open.upperBound...]
            guard let close = tagStart.firstIndex(of: ">") else {
                output += rest[open.lowerBound...]
                return output
            }
            let tag = tagStart[..<close]
            let tagName = tag.split(separator: " ").first.map { $0.split(separator: ":").last ?? $0 } ?? ""
            output += rest[open.lowerBound...close]
            rest = tagStart[tagStart.index(after: close)...]
            guard tagName == name, !tag.hasSuffix("/") else { continue }
            guard let end = rest.range(of: "</") else { continue }
            if !rest[..<end.lowerBound].isEmpty, !rest[..<end.lowerBound].contains("<") {
                output += placeholder
                rest = rest[end.lowerBound...]
            }
        }
        output += rest
        return output
    }

    /// Replaces the string value of every member whose name is in `secretJSONMembers`.
    /// Works on the text, so any formatting is kept.
    func redactJSONMembers(in text: String) -> String {
        guard text.contains("\"") else { return text }
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else {
                output.append(bytes[index])
                index += 1
                continue
            }
            let stringEnd = Self.endOfJSONString(bytes, from: index)
            let key = String(decoding: bytes[(index + 1)..<max(index + 1, stringEnd - 1)], as: UTF8.self)
            output.append(contentsOf: bytes[index..<stringEnd])
            index = stringEnd
            guard secretJSONMembers.contains(key.lowercased()) else { continue }
            var cursor = index
            while cursor < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[cursor]) { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { continue }
            cursor += 1
            while cursor < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[cursor]) { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") else { continue }
            let valueEnd = Self.endOfJSONString(bytes, from: cursor)
            output.append(contentsOf: bytes[index..<cursor])
            output.append(contentsOf: Array("\"\(Self.placeholder)\"".utf8))
            index = valueEnd
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The index just past the closing quote of the JSON string starting at `start` (or the end).
    static func endOfJSONString(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
            index += 1
        }
        return bytes.count
    }

    // MARK: Access key ids

    /// Replaces `AKIA…`/`ASIA…` access key ids (the prefix plus 16 upper-case letters or digits,
    /// not inside a longer such run) with a same-shaped placeholder.
    public static func redactAccessKeyIDs(_ text: String) -> String {
        String(decoding: redactAccessKeyIDs(Array(text.utf8)), as: UTF8.self)
    }

    public static func redactAccessKeyIDs(_ bytes: [UInt8]) -> [UInt8] {
        func isKeyCharacter(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        let prefixes: [[UInt8]] = [Array("AKIA".utf8), Array("ASIA".utf8)]
        let filler = Array("REDACTEDREDACTED".utf8)
        var output = bytes
        var index = 0
        while index + 20 <= output.count {
            let candidate = Array(output[index..<(index + 4)])
            let startsRun = index == 0 || !isKeyCharacter(output[index - 1])
            if startsRun, prefixes.contains(candidate), output[(index + 4)..<(index + 20)].allSatisfy(isKeyCharacter),
                index + 20 == output.count || !isKeyCharacter(output[index + 20])
            {
                output.replaceSubrange((index + 4)..<(index + 20), with: filler)
                index += 20
            } else {
                index += 1
            }
        }
        return output
    }
}

extension StringProtocol {
    fileprivate func trimmingCaptureSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
