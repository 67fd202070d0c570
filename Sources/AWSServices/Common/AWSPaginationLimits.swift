/// How far one paginated call may go. Every client follows `NextToken` to the end, but never
/// further than `maxPages` requests: past that the call fails with ``AWSError/Kind/limitExceeded``
/// instead of looping on a token that never ends.
public struct AWSPaginationLimits: Sendable, Hashable {
    /// The most requests (pages) one paginated call makes. At least 1.
    public var maxPages: Int

    public init(maxPages: Int = 1_000) {
        self.maxPages = max(1, maxPages)
    }

    public static let `default` = AWSPaginationLimits()
}

/// What a page walk does when it reaches its page limit with pages still to come.
public struct AWSPageLimitPolicy: Sendable, Hashable {
    private enum Base: Hashable {
        case fail, stop
    }

    private let base: Base

    /// Fail with ``AWSError/Kind/limitExceeded``: a call that must read its listing to the end.
    public static let fail = AWSPageLimitPolicy(base: .fail)
    /// End the walk with ``AWSPageWalk/hasMorePages`` set: an incremental reader that continues
    /// from its cursor at the next poll.
    public static let stop = AWSPageLimitPolicy(base: .stop)

    var failsAtLimit: Bool { base == .fail }
}
