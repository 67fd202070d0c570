import Bus
import Payloads

/// One AWS account and Region the worker polls streams in: what its envelopes carry in `account`
/// and `region`, and which cursor its pollers continue from.
///
/// A worker without `targets` in its file has one target, ``default(account:region:)``, which
/// keeps the stream's own cursor (`{p}cursor:<stream>`). Each configured (account, Region) is a
/// ``configured(account:region:)`` target with its own cursor
/// (`{p}cursor:<stream>:<account>:<region>`). The global streams (Cost Explorer, AWS Health:
/// ``globalStreams``) are polled once per account, as the target (account, `global`).
public struct WorkerTarget: Sendable, Hashable, CustomStringConvertible {
    public let account: String
    public let region: String
    /// False for the one target of a worker without `targets`.
    public let isConfigured: Bool

    /// The `region` of the envelopes of a stream polled once per account.
    public static let globalRegion = EnvelopeTarget.globalRegion

    /// Streams whose API is global (one endpoint per partition, in us-east-1): Cost Explorer and
    /// AWS Health. A configured account polls them once, not once per Region.
    public static let globalStreams: Set<StreamName> = [.costs, .health]

    /// The target of a worker without `targets`: the base credential chain in its own Region.
    public static func `default`(account: String, region: String) -> WorkerTarget {
        WorkerTarget(account: account, region: region, isConfigured: false)
    }

    /// One (account, Region) of the file's `targets` (`region` is ``globalRegion`` for the global streams).
    public static func configured(account: String, region: String) -> WorkerTarget {
        WorkerTarget(account: account, region: region, isConfigured: true)
    }

    /// The bus cursor this target's pollers continue from.
    public var cursorScope: BusCursorScope {
        isConfigured ? .target(account: account, region: region) : .stream
    }

    public var description: String { "\(account)/\(region)" }
}

/// The collectors of one target.
public struct WorkerTargetCollectors: Sendable {
    public var target: WorkerTarget
    public var collectors: [any Collector]

    public init(target: WorkerTarget, collectors: [any Collector]) {
        self.target = target
        self.collectors = collectors
    }
}
