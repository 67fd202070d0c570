import NIOCore
import Payloads
import TextFormats

extension BusMessage {
    /// `"stream-state"` as the worker writes it: the JSON string of ``StreamStateData/type``.
    private static let streamStateType = Array(JSONString.literal(StreamStateData.type).utf8)

    /// Whether this is a `stream-state` envelope (whether its stream is delivered, and why not)
    /// rather than data: its top-level `type`, read from the first bytes of the envelope (the
    /// worker writes `type` third).
    public var isStreamState: Bool {
        EnvelopeFields.value(of: "type", in: envelope).map(Self.isStreamStateType) ?? false
    }

    /// Whether `type`, the raw bytes of an envelope's `type` value, is `"stream-state"` (compared
    /// byte for byte as the worker encodes it, as ``EnvelopeFields`` compares keys).
    public static func isStreamStateType(_ type: ByteBuffer) -> Bool {
        type.readableBytesView.elementsEqual(streamStateType)
    }
}
