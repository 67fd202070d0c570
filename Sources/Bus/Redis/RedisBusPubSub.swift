/// How the bus's live channels travel: classic pub/sub on one node, or sharded pub/sub on a
/// Redis Cluster (`SPUBLISH`/`SSUBSCRIBE`: delivered only within the shard that serves the
/// channel's slot, where classic pub/sub is broadcast to every node of the cluster).
public enum RedisBusPubSub: Sendable, Hashable {
    case classic
    case sharded

    /// The command the publish script calls.
    var publishCommand: String {
        switch self {
        case .classic: "PUBLISH"
        case .sharded: "SPUBLISH"
        }
    }
}
