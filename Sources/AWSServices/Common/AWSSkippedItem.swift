/// An item of a response list (an event, a finding) that did not decode and was left out of its
/// page: a time outside 1970 to 9999, a member of the wrong type. One bad item must not fail its
/// page: the next poll would read the same page and fail again, and the stream would stop until
/// the item left AWS's window (90 days for CloudTrail).
public struct AWSSkippedItem: Sendable, Hashable, CustomStringConvertible {
    /// The list member it was in (`Events`, `events`, `Findings`).
    public var list: String
    /// Its position in that list (0-based).
    public var index: Int
    /// Its id (EventId, eventId, arn, Id) when that member could be read.
    public var id: String?
    /// What was wrong, naming the field: `.Events[2].EventTime: 1e+300 is not a time between 1970 and 9999`.
    public var reason: String

    public var description: String {
        "\(list)[\(index)]" + (id.map { " (id \($0))" } ?? "") + ": \(reason)"
    }
}

/// A page type whose list items are decoded one by one, the bad ones skipped.
public protocol AWSPageSkippingItems {
    var skipped: [AWSSkippedItem] { get }
}
