import AWSCore
import Foundation

/// How a JSON API writes its timestamps.
enum AWSJSONDates {
    /// JSON 1.0/1.1 protocols: epoch seconds as JSON numbers (`1.637257262E9`, `1589077890.53`).
    case epochSeconds
    /// Security Hub and CloudTrail records: ISO-8601 strings.
    case iso8601
}

enum AWSJSONDecoding {
    /// Decodes a response body (an empty body is `{}`); a body that does not fit `T` is a
    /// `.malformedResponse` error naming the call and the field.
    static func decode<T: Decodable>(
        _ type: T.Type, from body: [UInt8], dates: AWSJSONDates = .epochSeconds, service: AWSService, operation: String
    ) throws(AWSError) -> T {
        do {
            return try decoder(dates: dates).decode(T.self, from: body.isEmpty ? Data("{}".utf8) : Data(body))
        } catch {
            throw AWSError(
                kind: .malformedResponse, service: service.cliName, operation: operation,
                message: "the response does not match \(T.self): \(describe(error))", underlying: error)
        }
    }

    static func decoder(dates: AWSJSONDates) -> JSONDecoder {
        let decoder = JSONDecoder()
        switch dates {
        case .epochSeconds:
            // Not `.secondsSince1970`: that takes any number, and 1e300 seconds traps the first
            // conversion to milliseconds downstream.
            decoder.dateDecodingStrategy = .custom { decoder in
                let container = try decoder.singleValueContainer()
                let seconds = try container.decode(Double.self)
                guard let date = AWSTimestamp.date(secondsSince1970: seconds) else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: AWSTimestamp.outOfRange(seconds))
                }
                return date
            }
        case .iso8601:
            decoder.dateDecodingStrategy = .custom { decoder in
                let container = try decoder.singleValueContainer()
                let text = try container.decode(String.self)
                guard let date = AWSTimestamp.parse(text) else {
                    throw DecodingError.dataCorruptedError(
                        in: container,
                        debugDescription: "'\(text.prefix(40))' is not an ISO-8601 timestamp between 1970 and 9999")
                }
                return date
            }
        }
        return decoder
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        if case .keyNotFound(let key, let context) = error {
            return "\(path(context)).\(key.stringValue) is missing"
        }
        if case .typeMismatch(_, let context) = error { return "\(path(context)): \(context.debugDescription)" }
        if case .valueNotFound(_, let context) = error { return "\(path(context)): \(context.debugDescription)" }
        if case .dataCorrupted(let context) = error { return "\(path(context)): \(context.debugDescription)" }
        return "\(error)"
    }
}

/// The string keys of a response shape.
struct AWSCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { self.stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AWSCodingKey {
    /// An optional member: absent and `null` are both `nil`.
    func optional<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: AWSCodingKey(name))
    }

    /// A list member: absent and `null` are both empty.
    func list<T: Decodable>(_ name: String, of type: T.Type = T.self) throws -> [T] {
        try decodeIfPresent([T].self, forKey: AWSCodingKey(name)) ?? []
    }

    /// A member whose type AWS is loose about: a string, or a number or bool written as text.
    func text(_ name: String) throws -> String? {
        let key = AWSCodingKey(name)
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let text = try? decode(String.self, forKey: key) { return text }
        if let number = try? decode(Int64.self, forKey: key) { return String(number) }
        if let number = try? decode(Double.self, forKey: key) { return String(number) }
        if let flag = try? decode(Bool.self, forKey: key) { return flag ? "true" : "false" }
        throw DecodingError.typeMismatch(
            String.self, .init(codingPath: codingPath + [key], debugDescription: "expected a string, number or boolean"))
    }

    /// A value we decode only if it has the expected type (fields of free-form records such as
    /// CloudTrail events, which vary by event source).
    func lenient<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T? {
        (try? decodeIfPresent(T.self, forKey: AWSCodingKey(name))) ?? nil
    }
}
