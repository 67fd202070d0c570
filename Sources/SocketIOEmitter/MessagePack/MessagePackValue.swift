/// A value as MessagePack carries it, with maps kept in their insertion order: the shape of a
/// JavaScript value after `JSON.parse`, so that what we encode matches what `notepack.io` writes
/// for the same value in Node (see ``MessagePackWriter``).
public enum MessagePackValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer from -2^63 through 2^63 - 1.
    case int(Int64)
    /// An integer above `Int64.max`.
    case uint(UInt64)
    /// A JavaScript number. Written as an integer when it has no fraction, as `notepack.io` does.
    case double(Double)
    case string(String)
    case array([MessagePackValue])
    /// String keys in order (a JavaScript object's own keys).
    case map([Entry])

    /// One key and value of a map.
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: MessagePackValue

        public init(_ key: String, _ value: MessagePackValue) {
            self.key = key
            self.value = value
        }
    }

    /// The value of `key` in a map; nil for other values or a missing key.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}
