#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One inbound Socket.IO packet (protocol v5, carried in an Engine.IO message):
/// `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
struct SocketIOPacket: Equatable, Sendable {
    enum Kind: Int, Sendable {
        case connect = 0
        case disconnect = 1
        case event = 2
        case ack = 3
        case connectError = 4
        case binaryEvent = 5
        case binaryAck = 6
    }

    var kind: Kind
    var namespace: String
    var ackID: Int?
    /// Binary attachments announced (binary packets only).
    var attachments: Int
    var payload: SocketIOJSON?

    /// Ack ids and attachment counts beyond this are refused, as the reference parser does for
    /// values it cannot represent.
    static let maxNumber = 1_000_000_000

    /// Parses `text`, or nil when it is not a well-formed packet.
    static func parse(_ text: Substring) -> SocketIOPacket? {
        var rest = text[...]
        guard let first = rest.first, let digit = first.wholeNumberValue, let kind = Kind(rawValue: digit) else { return nil }
        rest = rest.dropFirst()
        var attachments = 0
        if kind == .binaryEvent || kind == .binaryAck {
            guard let dash = rest.firstIndex(of: "-"), let count = Int(rest[..<dash]), (0...maxNumber).contains(count) else {
                return nil
            }
            attachments = count
            rest = rest[rest.index(after: dash)...]
        }
        var namespace = "/"
        if rest.first == "/" {
            let end = rest.firstIndex(of: ",") ?? rest.endIndex
            namespace = String(rest[..<end])
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        var ackID: Int?
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty {
            guard let id = Int(digits), id <= maxNumber else { return nil }
            ackID = id
            rest = rest.dropFirst(digits.count)
        }
        var payload: SocketIOJSON?
        if !rest.isEmpty {
            guard let value = try? JSONDecoder().decode(SocketIOJSON.self, from: Data(rest.utf8)) else { return nil }
            payload = value
        }
        // What each type may carry, as the reference decoder checks it.
        switch kind {
        case .connect:
            guard payload == nil || payload?.isObject == true else { return nil }
        case .disconnect:
            guard payload == nil else { return nil }
        case .event, .binaryEvent:
            guard case .array(let items) = payload, let name = items.first, name.isString || name.isNumber else { return nil }
        case .ack, .binaryAck:
            guard case .array = payload else { return nil }
        case .connectError:
            guard payload != nil else { return nil }
        }
        return SocketIOPacket(kind: kind, namespace: namespace, ackID: ackID, attachments: attachments, payload: payload)
    }
}

/// A JSON value as a Socket.IO client sent it.
enum SocketIOJSON: Equatable, Sendable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([SocketIOJSON])
    case object([String: SocketIOJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SocketIOJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: SocketIOJSON].self))
        }
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
    var isNumber: Bool {
        if case .number = self { return true }
        return false
    }

    subscript(key: String) -> SocketIOJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}
