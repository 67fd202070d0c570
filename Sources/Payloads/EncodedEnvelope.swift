import TextFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An envelope encoded once, around the hole where its id goes.
///
/// The id is the Redis stream entry id, known only inside the publish script, so the worker
/// sends the two halves and the script joins `prefix + id + suffix`. Keys are in the order of
/// DESIGN.md: `v, stream, type, id, epoch, timestamp, account, region, data`.
public struct EncodedEnvelope: Sendable, Equatable {
    public var prefix: [UInt8]
    public var suffix: [UInt8]

    /// The whole message with `id` in place.
    public func withID(_ id: String) -> [UInt8] {
        var bytes = prefix
        bytes.reserveCapacity(prefix.count + id.utf8.count + suffix.count)
        bytes.append(contentsOf: id.utf8)
        bytes.append(contentsOf: suffix)
        return bytes
    }

    public init<Payload>(_ envelope: Envelope<Payload>) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(
            stream: envelope.stream, type: envelope.type, epoch: envelope.epoch, timestamp: envelope.timestamp,
            account: envelope.account, region: envelope.region, encodedData: Array(try encoder.encode(envelope.data)))
    }

    /// An envelope around `data` that is already JSON (a collector encodes each payload once).
    /// `timestamp` is ISO-8601 (``ISO8601/string(from:)``).
    public init(
        stream: StreamName, type: String, epoch: Int64, timestamp: String, account: String, region: String, encodedData: [UInt8]
    ) {
        var head = "{\"v\":\(Envelope<Heartbeat>.version),\"stream\":\(JSONString.literal(stream.rawValue)),"
        head += "\"type\":\(JSONString.literal(type)),\"id\":\""
        prefix = Array(head.utf8)
        var tail = "\",\"epoch\":\(epoch),\"timestamp\":\(JSONString.literal(timestamp)),"
        tail += "\"account\":\(JSONString.literal(account)),\"region\":\(JSONString.literal(region)),\"data\":"
        suffix = Array(tail.utf8) + encodedData + [UInt8(ascii: "}")]
    }

}
