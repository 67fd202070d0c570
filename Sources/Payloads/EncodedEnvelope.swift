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
        func json(_ value: some Encodable) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        prefix = Array(
            "{\"v\":\(envelope.v),\"stream\":\(try json(envelope.stream.rawValue)),\"type\":\(try json(envelope.type)),\"id\":\"".utf8)
        var tail = "\",\"epoch\":\(envelope.epoch),\"timestamp\":\(try json(envelope.timestamp)),"
        tail += "\"account\":\(try json(envelope.account)),\"region\":\(try json(envelope.region)),\"data\":"
        suffix = Array(tail.utf8) + Array(try encoder.encode(envelope.data)) + [UInt8(ascii: "}")]
    }
}
