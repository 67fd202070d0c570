import NIOCore

/// One entry of a Redis stream, as XRANGE / XREVRANGE return it.
public struct RedisStreamEntry: Sendable, Hashable {
    /// One field of an entry; fields keep the order they were added in.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: ByteBuffer

        public init(name: String, value: ByteBuffer) {
            self.name = name
            self.value = value
        }
    }

    /// The entry id, `<milliseconds>-<sequence>`.
    public var id: String
    public var fields: [Field]

    public init(id: String, fields: [Field]) {
        self.id = id
        self.fields = fields
    }

    /// The value of the first field named `name`.
    public subscript(field name: String) -> ByteBuffer? {
        self.fields.first { $0.name == name }?.value
    }

    init(_ value: RESPValue) throws {
        guard let parts = value.elements, parts.count == 2, let id = parts[0].string, let flat = parts[1].elements,
            flat.count % 2 == 0
        else {
            throw RedisClientError.unexpected(value, expected: "a stream entry [id, [field, value, ...]]")
        }
        var fields: [Field] = []
        fields.reserveCapacity(flat.count / 2)
        var index = 0
        while index < flat.count {
            guard let name = flat[index].string, let fieldValue = flat[index + 1].bytes else {
                throw RedisClientError.unexpected(value, expected: "stream entry fields as strings")
            }
            fields.append(Field(name: name, value: fieldValue))
            index += 2
        }
        self.init(id: id, fields: fields)
    }
}
