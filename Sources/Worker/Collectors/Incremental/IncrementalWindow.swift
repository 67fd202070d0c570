/// How far behind the point it has read an incremental stream reads again, for events AWS
/// delivers late, and how many published events it remembers to drop their repeats.
public struct IncrementalWindow: Sendable, Hashable {
    /// Re-read this far behind the point up to which the listing was read. An event delivered
    /// later than this behind its own time is missed (and counted where AWS says when it
    /// received the event).
    public var overlap: Duration
    /// Published events remembered per cursor (a log group's, or the stream's): past this the
    /// window shrinks for that cursor, oldest times first.
    public var seenLimit: Int

    public init(overlap: Duration, seenLimit: Int = IncrementalCursor.defaultSeenLimit) {
        self.overlap = max(.zero, overlap)
        self.seenLimit = max(1, seenLimit)
    }

    var overlapMilliseconds: Int64 {
        let components = overlap.components
        let (milliseconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000)
        return overflow ? Int64.max : milliseconds + components.attoseconds / 1_000_000_000_000_000
    }

    /// CloudTrail delivers an event within about 5 minutes of the call on average, with no
    /// guarantee (its event history was long documented at up to 15 minutes): 15 minutes.
    public static let activity = IncrementalWindow(overlap: .seconds(15 * 60))
    /// CloudWatch Logs makes an event searchable once ingested, seconds to a minute after its
    /// timestamp in practice, and in any log stream of the group: 2 minutes.
    public static let logs = IncrementalWindow(overlap: .seconds(2 * 60))
    /// Security Hub imports a finding with the `UpdatedAt` its provider set, which may lie
    /// minutes back (providers batch their imports): 15 minutes.
    public static let security = IncrementalWindow(overlap: .seconds(15 * 60))
    /// AWS Health updates few events, with `lastUpdatedTime` set by the service: 1 hour costs
    /// nothing (DescribeEvents is free) and covers its slow propagation.
    public static let health = IncrementalWindow(overlap: .seconds(3600))
}
