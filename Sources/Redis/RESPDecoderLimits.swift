/// Bounds the decoder enforces on every reply, so a broken or hostile server cannot make the
/// client allocate without limit or recurse without end. A reply over a limit is a protocol
/// error on that connection.
public struct RESPDecoderLimits: Sendable, Hashable {
    /// Largest bulk string, bulk error or verbatim string, in bytes. Redis itself allows 512 MiB;
    /// our payloads are small, so the default is 64 MiB.
    public var maxBulkLength: Int
    /// Most elements in one array, set, push, or pairs in one map.
    public var maxAggregateCount: Int
    /// Deepest nesting of aggregates (an array in an array is depth 2).
    public var maxNestingDepth: Int
    /// Longest simple string, simple error, integer, double or length line, in bytes.
    public var maxLineLength: Int
    /// Most RESP3 attributes (`|`) in one reply, counting those before nested elements; their
    /// pairs together count against `maxAggregateCount`. An attribute describes the value after
    /// it without nesting it, so the depth limit cannot bound a chain of them: this does. Redis
    /// sends few or none, so the default is 64.
    public var maxAttributes: Int

    public init(
        maxBulkLength: Int = 64 * 1024 * 1024,
        maxAggregateCount: Int = 1_048_576,
        maxNestingDepth: Int = 32,
        maxLineLength: Int = 64 * 1024,
        maxAttributes: Int = 64
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxAggregateCount = maxAggregateCount
        self.maxNestingDepth = maxNestingDepth
        self.maxLineLength = maxLineLength
        self.maxAttributes = maxAttributes
    }
}
