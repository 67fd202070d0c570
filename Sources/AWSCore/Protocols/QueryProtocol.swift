/// The AWS query protocol: a form-encoded POST of `Action`, `Version` and the input flattened
/// into dotted names, lists as `Name.member.N` (1-based), nested structures as `Outer.Inner`.
public enum QueryProtocol {
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    public static func request(
        service: AWSService, apiVersion: String, operation: String, input: JSONValue
    ) throws(AWSError) -> AWSOperationRequest {
        var fields: [(String, String)] = [("Action", operation), ("Version", apiVersion)]
        try flatten(input, prefix: "", into: &fields)
        return AWSOperationRequest(
            service: service, operation: operation,
            headers: [AWSHTTPHeader("Content-Type", contentType)],
            body: Array(formEncode(fields).utf8))
    }

    /// Flattens a JSON input the way the query protocol names its fields.
    static func flatten(_ value: JSONValue, prefix: String, into fields: inout [(String, String)]) throws(AWSError) {
        switch value {
        case .null:
            return
        case .bool(let flag):
            fields.append((prefix, flag ? "true" : "false"))
        case .integer(let number):
            fields.append((prefix, String(number)))
        case .double(let number):
            fields.append((prefix, String(number)))
        case .string(let text):
            fields.append((prefix, text))
        case .array(let items):
            if items.isEmpty {
                // An explicitly empty list is sent as the bare name with an empty value.
                fields.append((prefix, ""))
            }
            for (index, item) in items.enumerated() {
                try flatten(item, prefix: "\(prefix).member.\(index + 1)", into: &fields)
            }
        case .object(let members):
            guard !members.isEmpty || !prefix.isEmpty else { return }
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                guard !key.isEmpty, !key.contains("."), !key.contains("=") else {
                    throw AWSError.invalidInput("'\(key)' is not a valid member name for the query protocol")
                }
                try flatten(member, prefix: prefix.isEmpty ? key : "\(prefix).\(key)", into: &fields)
            }
        }
    }

    /// `name=value&...` with RFC 3986 percent-encoding (everything but unreserved characters).
    public static func formEncode(_ fields: [(String, String)]) -> String {
        fields.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0x0F)]
            }
        }
        return encoded
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

    /// The `<Operation>Result` element of a query response, converted to JSON (the AWS CLI's view);
    /// empty elements named in `listElements` are empty lists (``QueryListMembers``).
    public static func decodeResponse(
        operation: String, body: [UInt8], listElements: Set<String> = []
    ) throws(AWSError) -> JSONValue {
        let document = try XMLToJSON.convert(body, listElements: listElements)
        guard let response = document["\(operation)Response"] else { return document }
        return response["\(operation)Result"] ?? .object([:])
    }
}
