import TextFormats

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
    var payload: JSONDocument?

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
        var payload: JSONDocument?
        if !rest.isEmpty {
            guard let value = try? JSONDocument.parse(rest.utf8) else { return nil }
            payload = value
        }
        // What each type may carry, as the reference decoder checks it.
        switch kind {
        case .connect:
            switch payload {
            case nil, .object?: break
            default: return nil
            }
        case .disconnect:
            guard payload == nil else { return nil }
        case .event, .binaryEvent:
            guard case .array(let items) = payload else { return nil }
            switch items.first {
            case .string?, .number?: break
            default: return nil
            }
        case .ack, .binaryAck:
            guard case .array = payload else { return nil }
        case .connectError:
            guard payload != nil else { return nil }
        }
        return SocketIOPacket(kind: kind, namespace: namespace, ackID: ackID, attachments: attachments, payload: payload)
    }
}
