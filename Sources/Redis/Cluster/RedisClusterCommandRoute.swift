import NIOCore

/// Where a command goes in a cluster: to the node serving one key's slot, or to any primary.
///
/// The key is found by the command's shape, as Redis's own key specifications place it: the
/// first argument for the single-key and multi-key commands this project sends (a multi-key
/// command's keys must share a slot, which the key layout's hash tag guarantees); the first key
/// after `numkeys` for `EVAL`/`EVALSHA`/`FCALL`; the channel for `SPUBLISH`, `SSUBSCRIBE` and
/// `PUBSUB SHARDNUMSUB`. Commands without a key (`PING`, `CLUSTER ...`, `PUBLISH`, which a cluster
/// broadcasts, `PUBSUB NUMSUB`, `SCRIPT ...`, `INFO`, `TIME`) go to any primary.
///
/// Names are compared as bytes, ASCII case-insensitively, with no `String` per command: the
/// route is computed for every command of every pipeline.
enum RedisClusterCommandRoute: Sendable, Hashable {
    case slot(Int)
    case anyPrimary

    init(_ arguments: [ByteBuffer]) {
        guard let name = arguments.first else {
            self = .anyPrimary
            return
        }
        switch Self.shape(of: name) {
        case .script:
            guard arguments.count > 3, let keyCount = Int(String(buffer: arguments[2])), keyCount > 0 else {
                self = .anyPrimary
                return
            }
            self = .slot(Self.slot(of: arguments[3]))
        case .pubSub:
            guard arguments.count > 2, Self.isName(arguments[1], Self.shardNumSub) else {
                self = .anyPrimary
                return
            }
            self = .slot(Self.slot(of: arguments[2]))
        case .keyless:
            self = .anyPrimary
        case .firstArgument:
            self = arguments.count > 1 ? .slot(Self.slot(of: arguments[1])) : .anyPrimary
        }
    }

    /// The slot of a key, hashed over the buffer's bytes in place (a raw buffer: no index checks
    /// of a `ByteBufferView` per byte).
    private static func slot(of key: ByteBuffer) -> Int {
        key.withUnsafeReadableBytes { RedisClusterSlot.of(key: $0) }
    }

    /// Where a command's name says its key is.
    private enum Shape {
        case firstArgument
        case script
        case pubSub
        case keyless
    }

    private static let scriptNames = ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"].map { Array($0.utf8) }
    private static let pubSubName = Array("PUBSUB".utf8)
    private static let shardNumSub = Array("SHARDNUMSUB".utf8)
    private static let keylessNames = [
        "PING", "ECHO", "CLUSTER", "PUBLISH", "SCRIPT", "INFO", "TIME", "HELLO", "AUTH", "CLIENT", "COMMAND", "ASKING",
        "READONLY", "READWRITE", "FUNCTION", "WAIT", "CONFIG", "DBSIZE", "MULTI", "EXEC", "DISCARD", "ACL",
    ].map { Array($0.utf8) }

    private static func shape(of name: ByteBuffer) -> Shape {
        // Names longer than any listed one (16 bytes, as before) take the default.
        guard name.readableBytes <= 16 else { return .firstArgument }
        if Self.scriptNames.contains(where: { Self.isName(name, $0) }) { return .script }
        if Self.isName(name, Self.pubSubName) { return .pubSub }
        if Self.keylessNames.contains(where: { Self.isName(name, $0) }) { return .keyless }
        return .firstArgument
    }

    /// Whether `buffer` is `upperCaseName`, ASCII letters compared without case.
    private static func isName(_ buffer: ByteBuffer, _ upperCaseName: [UInt8]) -> Bool {
        guard buffer.readableBytes == upperCaseName.count else { return false }
        return buffer.withUnsafeReadableBytes { bytes in
            for index in 0..<upperCaseName.count {
                var byte = bytes[index]
                if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 0x20 }
                if byte != upperCaseName[index] { return false }
            }
            return true
        }
    }
}
