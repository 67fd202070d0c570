import NIOCore

/// Where a command goes in a cluster: to the node serving one key's slot, or to any primary.
///
/// The key is found by the command's shape, as Redis's own key specifications place it: the
/// first argument for the single-key and multi-key commands this project sends (a multi-key
/// command's keys must share a slot, which the key layout's hash tag guarantees); the first key
/// after `numkeys` for `EVAL`/`EVALSHA`/`FCALL`; the channel for `SPUBLISH`, `SSUBSCRIBE` and
/// `PUBSUB SHARDNUMSUB`. Commands without a key (`PING`, `CLUSTER ...`, `PUBLISH`, which a cluster
/// broadcasts, `PUBSUB NUMSUB`, `SCRIPT ...`, `INFO`, `TIME`) go to any primary.
enum RedisClusterCommandRoute: Sendable, Hashable {
    case slot(Int)
    case anyPrimary

    init(_ arguments: [ByteBuffer]) {
        guard let name = arguments.first.map(Self.upper) else {
            self = .anyPrimary
            return
        }
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count > 3, let keyCount = Int(String(buffer: arguments[2])), keyCount > 0 else {
                self = .anyPrimary
                return
            }
            self = .slot(RedisClusterSlot.of(key: arguments[3].readableBytesView))
        case "PUBSUB":
            guard arguments.count > 2, Self.upper(arguments[1]) == "SHARDNUMSUB" else {
                self = .anyPrimary
                return
            }
            self = .slot(RedisClusterSlot.of(key: arguments[2].readableBytesView))
        case "PING", "ECHO", "CLUSTER", "PUBLISH", "SCRIPT", "INFO", "TIME", "HELLO", "AUTH", "CLIENT", "COMMAND",
            "ASKING", "READONLY", "READWRITE", "FUNCTION", "WAIT", "CONFIG", "DBSIZE", "MULTI", "EXEC", "DISCARD", "ACL":
            self = .anyPrimary
        default:
            self = arguments.count > 1 ? .slot(RedisClusterSlot.of(key: arguments[1].readableBytesView)) : .anyPrimary
        }
    }

    private static func upper(_ buffer: ByteBuffer) -> String {
        buffer.readableBytes <= 16 ? String(buffer: buffer).uppercased() : ""
    }
}
