/// A node's answer that a key's slot is served elsewhere (the cluster specification,
/// "Redirection and resharding").
///
/// `MOVED <slot> <host:port>`: the slot belongs to that node now; route it there from now on and
/// refresh the map. `ASK <slot> <host:port>`: the slot is being migrated and this key may already
/// be on the importing node; send it there once, preceded by `ASKING`, and keep the map.
enum RedisClusterRedirection: Sendable, Hashable {
    case moved(slot: Int, to: RedisClusterNodeAddress)
    case ask(slot: Int, to: RedisClusterNodeAddress)

    /// Parses a server error text; `nil` for any other error. `answeredBy` fills in an empty host.
    init?(serverMessage: String, answeredBy host: String) {
        let parts = serverMessage.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, let slot = Int(parts[1]), (0..<RedisClusterSlot.count).contains(slot),
            let address = RedisClusterNodeAddress(parts[2], defaultHost: host)
        else { return nil }
        switch parts[0] {
        case "MOVED": self = .moved(slot: slot, to: address)
        case "ASK": self = .ask(slot: slot, to: address)
        default: return nil
        }
    }
}
