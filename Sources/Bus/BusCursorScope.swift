/// Which of a stream's cursors a publish moves: the stream's own (one AWS account and Region, as
/// a worker without `targets` polls) or one target's, when one worker polls a stream in many
/// accounts and Regions and each (account, Region) continues from its own cursor.
///
/// On Redis the stream's own cursor is `{p}cursor:<stream>` and a target's
/// `{p}cursor:<stream>:<account>:<region>`: the same prefix, so the same hash tag and the same
/// cluster slot as the lease, the log and the channel the publish script touches with it.
public struct BusCursorScope: Sendable, Hashable, CustomStringConvertible {
    private enum Scope: Hashable, Sendable {
        case stream
        case target(account: String, region: String)
    }
    private let scope: Scope

    /// The stream's own cursor.
    public static let stream = BusCursorScope(scope: .stream)

    /// The cursor of one (account, Region) target of a stream (`region` is `global` for the
    /// streams polled once per account).
    public static func target(account: String, region: String) -> BusCursorScope {
        BusCursorScope(scope: .target(account: account, region: region))
    }

    /// What follows the stream's name in the cursor's key: empty for the stream's own cursor,
    /// `:<account>:<region>` for a target's.
    public var keySuffix: String {
        switch scope {
        case .stream: ""
        case .target(let account, let region): ":\(account):\(region)"
        }
    }

    public var description: String {
        switch scope {
        case .stream: "stream"
        case .target(let account, let region): "\(account):\(region)"
        }
    }
}
