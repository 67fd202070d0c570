import NIOCore
import Payloads

/// ``EnvelopeView`` on a `ByteBuffer`: the raw bytes of top-level fields of one envelope, as
/// slices of the buffer (no copy: an envelope's `data` can be large).
public enum EnvelopeFields {
    /// The value bytes of each key in `keys` found at the top level of `json` (other keys are
    /// skipped). nil when `json` is not one well-formed object.
    public static func values(of keys: Set<String>, in json: ByteBuffer) -> [String: ByteBuffer]? {
        slices(of: keys, in: json, reading: .wholeObject)
    }

    /// The value bytes of the first top-level `key` in `json`, read no further than it: the
    /// envelope's `type`, which the worker writes third, costs a scan of its first bytes, whatever
    /// the size of its `data`. nil when the key is absent, or the object is malformed before it
    /// (what follows it is not checked: ``values(of:in:)`` checks the whole object).
    public static func value(of key: String, in json: ByteBuffer) -> ByteBuffer? {
        slices(of: [key], in: json, reading: .untilAllFound)?[key]
    }

    /// The value bytes of the top-level `keys` in `json`, read no further than the last of them:
    /// the envelope's `type`, `account` and `region`, which the worker writes before `data`, cost
    /// a scan of its first bytes. A key absent is missing from the result (the whole object is read
    /// then); nil when the object is malformed before every key was found.
    public static func leadingValues(of keys: Set<String>, in json: ByteBuffer) -> [String: ByteBuffer]? {
        slices(of: keys, in: json, reading: .untilAllFound)
    }

    private static func slices(
        of keys: Set<String>, in json: ByteBuffer, reading extent: EnvelopeView.Extent
    ) -> [String: ByteBuffer]? {
        let ranges = json.withUnsafeReadableBytes { EnvelopeView.valueRanges(of: keys, in: $0, reading: extent) }
        return ranges?.compactMapValues { json.getSlice(at: json.readerIndex + $0.lowerBound, length: $0.count) }
    }
}
