import Payloads

/// One update in the `@socket.io/redis-emitter` wire format, around the hole where the Redis
/// stream id goes (known only inside the publish script, like ``EncodedEnvelope``'s).
///
/// What `emitter.of(namespace).emit("<stream>-update", payload)` publishes (the event is
/// `<stream>-state` for a `stream-state` envelope), per `socketio/socket.io-redis-emitter`
/// `lib/broadcast-operator.ts`, `BroadcastOperator.emit`:
/// `notepack.encode([UID, packet, opts])` with `UID = "emitter"`,
/// `packet = {type: PacketType.EVENT (2), data: [event, payload], nsp}` and
/// `opts = {rooms: [], flags: {}, except: []}` (no room, no flag set: `flags` is an empty map),
/// in those key orders, on the channel `<key>#<namespace>#`.
///
/// `@socket.io/redis-adapter` (`lib/index.ts`, `onmessage`) takes it when the channel starts with
/// its own `<key>#<namespace>#` (nothing after it: no room), the uid is not its own, and
/// `packet.nsp` is its namespace; then it broadcasts `packet` to its local sockets.
///
/// The payload is the gateway's Socket.IO update (`SocketIOFrames.streamEvent`): `{timestamp, data,
/// type, account, region, id}` from the envelope (`account` and `region` where it has them), with
/// `id` last so the script appends it: the message is
/// `prefix + str(id) + suffix`, where `str` is the MessagePack string header (fixstr for the
/// ids Redis makes, < 32 bytes) followed by the id.
public struct SocketIOEmitterMessage: Sendable, Equatable {
    /// `uid` of every emitter message; the adapter drops a message only when it is its own uid.
    static let uid = "emitter"
    /// socket.io-parser's `PacketType.EVENT`.
    static let eventPacketType: Int64 = 2

    /// The message up to the id's MessagePack string.
    public var prefix: [UInt8]
    /// The message after the id.
    public var suffix: [UInt8]

    public struct EnvelopeError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "socketIOEmitter: cannot convert the envelope to MessagePack: \(reason)" }
    }

    /// The message for `envelope` (an envelope the worker encoded, whose id is still empty).
    public init(envelope: EncodedEnvelope, stream: StreamName, namespace: String) throws(EnvelopeError) {
        let json: MessagePackValue
        do {
            json = try MessagePackValue.reading(json: envelope.withID(""))
        } catch {
            throw EnvelopeError(reason: error.description)
        }
        guard let timestamp = json["timestamp"], let type = json["type"], let data = json["data"] else {
            throw EnvelopeError(reason: "the envelope lacks timestamp, type or data")
        }
        self.init(
            event: Self.event(stream: stream, type: type), timestamp: timestamp, type: type, data: data,
            origin: [("account", json["account"]), ("region", json["region"])].compactMap { key, value in value.map { (key, $0) }
            },
            namespace: namespace)
    }

    /// `<stream>-update` for data, as the old gateway named it; `<stream>-state` for a
    /// `stream-state` envelope, which old clients (listening to `-update` only) must not render
    /// as data. The same names as the gateway's own Socket.IO events (`SocketIOFrames.streamEvent`).
    static func event(stream: StreamName, type: MessagePackValue) -> String {
        type == .string(StreamStateData.type) ? "\(stream.rawValue)-state" : "\(stream.rawValue)-update"
    }

    /// `origin`: the envelope's `account` and `region` members present, in that order.
    init(
        event: String, timestamp: MessagePackValue, type: MessagePackValue, data: MessagePackValue,
        origin: [(String, MessagePackValue)] = [], namespace: String
    ) {
        var head = MessagePackWriter(reservingCapacity: 128)
        head.writeArrayHeader(count: 3)
        head.writeString(Self.uid)
        // packet: {type, data, nsp}
        head.writeMapHeader(count: 3)
        head.writeString("type")
        head.writeInteger(Self.eventPacketType)
        head.writeString("data")
        head.writeArrayHeader(count: 2)
        head.writeString(event)
        // payload: {timestamp, data, type, account, region, id}
        head.writeMapHeader(count: 4 + origin.count)
        head.writeString("timestamp")
        head.write(timestamp)
        head.writeString("data")
        head.write(data)
        head.writeString("type")
        head.write(type)
        for (key, value) in origin {
            head.writeString(key)
            head.write(value)
        }
        head.writeString("id")
        // ... the id's string goes here ...
        var tail = MessagePackWriter(reservingCapacity: 48)
        tail.writeString("nsp")
        tail.writeString(namespace)
        // opts: {rooms, flags, except}
        tail.writeMapHeader(count: 3)
        tail.writeString("rooms")
        tail.writeArrayHeader(count: 0)
        tail.writeString("flags")
        tail.writeMapHeader(count: 0)
        tail.writeString("except")
        tail.writeArrayHeader(count: 0)
        prefix = head.bytes
        suffix = tail.bytes
    }

    /// The whole message with `id` in place: what the publish script sends.
    func withID(_ id: String) -> [UInt8] {
        var writer = MessagePackWriter(reservingCapacity: prefix.count + id.utf8.count + 2 + suffix.count)
        writer.writeString(id)
        return prefix + writer.bytes + suffix
    }
}
