/// Which node serves each of the 16,384 slots, as one node told it (`CLUSTER SHARDS`, or
/// `CLUSTER SLOTS` on servers before 7.0), with the replicas of each primary.
///
/// A value: the cluster client keeps the newest one and patches single slots from `MOVED`
/// redirections until the next refresh replaces it.
public struct RedisClusterTopology: Sendable, Hashable {
    /// One primary and the slots it serves.
    public struct Shard: Sendable, Hashable {
        public var primary: RedisClusterNodeAddress
        public var replicas: [RedisClusterNodeAddress]
        /// Inclusive slot ranges.
        public var slots: [ClosedRange<Int>]
    }

    public private(set) var shards: [Shard]
    /// `owner[slot]` is an index into `shards`, or -1 for a slot no node serves.
    private var owner: [Int16]

    /// Shards are kept in the order of their primaries' addresses, so two maps of the same
    /// cluster compare equal whichever node gave them.
    init(shards: [Shard]) {
        let byAddress = { (a: RedisClusterNodeAddress, b: RedisClusterNodeAddress) in (a.host, a.port) < (b.host, b.port) }
        let shards = shards.map { shard in
            Shard(
                primary: shard.primary, replicas: shard.replicas.sorted(by: byAddress),
                slots: shard.slots.sorted { $0.lowerBound < $1.lowerBound })
        }.sorted { byAddress($0.primary, $1.primary) }
        self.shards = shards
        self.owner = Array(repeating: -1, count: RedisClusterSlot.count)
        for (index, shard) in shards.enumerated() {
            for range in shard.slots {
                for slot in range { self.owner[slot] = Int16(index) }
            }
        }
    }

    /// The primary serving `slot`, if any.
    public func primary(ofSlot slot: Int) -> RedisClusterNodeAddress? {
        guard (0..<RedisClusterSlot.count).contains(slot) else { return nil }
        let index = Int(self.owner[slot])
        return index >= 0 ? self.shards[index].primary : nil
    }

    /// Every primary that serves at least one slot.
    public var primaries: [RedisClusterNodeAddress] { self.shards.filter { !$0.slots.isEmpty }.map(\.primary) }

    /// How many slots some primary serves (16,384 when the cluster covers them all).
    public var coveredSlotCount: Int { self.owner.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Records a `MOVED`: `slot` is served by `address` now (a primary this map may not know yet).
    mutating func assign(slot: Int, to address: RedisClusterNodeAddress) {
        guard (0..<RedisClusterSlot.count).contains(slot) else { return }
        let index: Int
        if let known = self.shards.firstIndex(where: { $0.primary == address }) {
            index = known
        } else {
            guard self.shards.count < Int(Int16.max) else { return }
            self.shards.append(Shard(primary: address, replicas: [], slots: []))
            index = self.shards.count - 1
        }
        self.owner[slot] = Int16(index)
        self.shards[index].slots.append(slot...slot)
    }
}

extension RedisClusterTopology {
    /// Reads a `CLUSTER SHARDS` reply (Redis 7): a list of shards, each a map (RESP3) or flat
    /// list (RESP2) of `slots` (start, end, start, end, ...) and `nodes` (maps with `endpoint`,
    /// `ip`, `port`, `tls-port`, `role` and `health`). A node that is not `online` is left out.
    /// `answeredBy` fills in an endpoint the node does not know (`?` or empty); `tls` picks
    /// `tls-port` when the node announces one.
    init(shardsReply reply: RESPValue, answeredBy host: String, tls: Bool) throws(RedisClientError) {
        guard let shardValues = reply.elements else { throw Self.unreadable("CLUSTER SHARDS", reply) }
        var shards: [Shard] = []
        for shardValue in shardValues.prefix(RedisClusterSlot.count) {
            let fields = try Self.fields(of: shardValue, command: "CLUSTER SHARDS")
            guard let slotValues = fields["slots"]?.elements, slotValues.count % 2 == 0,
                let nodeValues = fields["nodes"]?.elements
            else { throw Self.unreadable("CLUSTER SHARDS", shardValue) }
            var slots: [ClosedRange<Int>] = []
            var index = 0
            while index < slotValues.count {
                slots.append(try Self.range(slotValues[index], slotValues[index + 1], command: "CLUSTER SHARDS"))
                index += 2
            }
            var primary: RedisClusterNodeAddress?
            var replicas: [RedisClusterNodeAddress] = []
            for nodeValue in nodeValues.prefix(64) {
                let node = try Self.fields(of: nodeValue, command: "CLUSTER SHARDS")
                guard node["health"]?.string ?? "online" == "online" else { continue }
                let port = tls ? (node["tls-port"]?.int ?? node["port"]?.int) : (node["port"]?.int ?? node["tls-port"]?.int)
                guard let port, (1...65535).contains(port) else { continue }
                let announced = node["endpoint"]?.string ?? node["ip"]?.string ?? ""
                let address = RedisClusterNodeAddress(host: Self.host(announced, default: host), port: port)
                if node["role"]?.string == "master" { primary = address } else { replicas.append(address) }
            }
            guard let primary else { continue }
            shards.append(Shard(primary: primary, replicas: replicas, slots: slots))
        }
        self.init(shards: shards)
    }

    /// Reads a `CLUSTER SLOTS` reply: per slot range, start, end, then the primary and each
    /// replica as (host, port, id, ...).
    init(slotsReply reply: RESPValue, answeredBy host: String) throws(RedisClientError) {
        guard let rangeValues = reply.elements else { throw Self.unreadable("CLUSTER SLOTS", reply) }
        var shards: [Shard] = []
        for rangeValue in rangeValues.prefix(RedisClusterSlot.count) {
            guard let items = rangeValue.elements, items.count >= 3 else { throw Self.unreadable("CLUSTER SLOTS", rangeValue) }
            let range = try Self.range(items[0], items[1], command: "CLUSTER SLOTS")
            var nodes: [RedisClusterNodeAddress] = []
            for nodeValue in items[2...].prefix(64) {
                guard let node = nodeValue.elements, node.count >= 2, let port = node[1].int, (1...65535).contains(port) else {
                    throw Self.unreadable("CLUSTER SLOTS", nodeValue)
                }
                nodes.append(RedisClusterNodeAddress(host: Self.host(node[0].string ?? "", default: host), port: port))
            }
            let primary = nodes[0]
            if let existing = shards.firstIndex(where: { $0.primary == primary }) {
                shards[existing].slots.append(range)
            } else {
                shards.append(Shard(primary: primary, replicas: Array(nodes.dropFirst()), slots: [range]))
            }
        }
        self.init(shards: shards)
    }

    private static func fields(of value: RESPValue, command: String) throws(RedisClientError) -> [String: RESPValue] {
        guard let flat = value.elements, flat.count % 2 == 0 else { throw Self.unreadable(command, value) }
        var fields: [String: RESPValue] = [:]
        var index = 0
        while index < flat.count {
            if let name = flat[index].string { fields[name] = flat[index + 1] }
            index += 2
        }
        return fields
    }

    private static func range(_ start: RESPValue, _ end: RESPValue, command: String) throws(RedisClientError) -> ClosedRange<Int>
    {
        guard let low = start.int, let high = end.int, 0 <= low, low <= high, high < RedisClusterSlot.count else {
            throw RedisClientError(
                code: .unexpectedReply, message: "\(command) named a slot range outside 0...16383: \(start) to \(end)")
        }
        return low...high
    }

    private static func host(_ announced: String, default host: String) -> String {
        announced.isEmpty || announced == "?" ? host : announced
    }

    private static func unreadable(_ command: String, _ value: RESPValue) -> RedisClientError {
        RedisClientError.unexpected(value, expected: "a \(command) reply")
    }
}
