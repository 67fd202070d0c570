import NIOCore
import Payloads

/// Where an envelope's content comes from: its top-level `account` and `region` (one envelope holds
/// one (account, region) target), and whether it is a heartbeat (which belongs to no target).
///
/// Read from the envelope's first bytes (``EnvelopeFields/leadingValues(of:in:)``: the worker
/// writes `type`, `account` and `region` before `data`), once per message, never trapping on what
/// the bytes hold. A field that is missing, not a plain JSON string (no escapes), or longer than
/// ``maxFieldLength`` reads as `""`: an origin nobody names, which only an unrestricted reader sees.
public struct EnvelopeOrigin: Sendable, Hashable {
    /// The region of the streams that are not regional (`aws-costs`, `aws-health`).
    public static let globalRegion = EnvelopeTarget.globalRegion
    /// Longer values are not account ids or region names: they read as `""`.
    public static let maxFieldLength = 64

    public var account: String
    public var region: String
    public var isHeartbeat: Bool

    public init(account: String, region: String, isHeartbeat: Bool = false) {
        self.account = account
        self.region = region
        self.isHeartbeat = isHeartbeat
    }

    /// The origin an envelope's bytes declare.
    public init(envelope: ByteBuffer) {
        let fields = EnvelopeFields.leadingValues(of: Self.keys, in: envelope) ?? [:]
        self.account = fields["account"].map(Self.plainString) ?? ""
        self.region = fields["region"].map(Self.plainString) ?? ""
        self.isHeartbeat = fields["type"].map { $0.readableBytesView.elementsEqual(Self.heartbeatType) } ?? false
    }

    public var isGlobal: Bool { region == Self.globalRegion }

    private static let keys: Set<String> = ["type", "account", "region"]
    private static let heartbeatType = Array("\"\(Heartbeat.type)\"".utf8)

    /// The text of a JSON string value without escapes, at most `maxFieldLength` bytes; `""` for
    /// anything else.
    private static func plainString(_ value: ByteBuffer) -> String {
        let bytes = value.readableBytesView
        guard bytes.count >= 2, bytes.count <= maxFieldLength + 2, bytes.first == UInt8(ascii: "\""),
            bytes.last == UInt8(ascii: "\"")
        else { return "" }
        let inner = bytes.dropFirst().dropLast()
        guard !inner.contains(UInt8(ascii: "\\")) else { return "" }
        return String(decoding: inner, as: UTF8.self)
    }
}

extension BusMessage {
    /// Where this message's content comes from (a scan of its first bytes: call it once per message).
    public var origin: EnvelopeOrigin { EnvelopeOrigin(envelope: envelope) }
}
