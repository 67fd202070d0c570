/// The `data` of a `stream-state` envelope: whether a stream is being delivered, and if not,
/// why. Published on the stream's own channel when its state changes (and stored in its history,
/// so a new subscriber's snapshot carries it); a stream with no state message is `live`.
public struct StreamStateData: Codable, Sendable, Equatable {
    /// The envelope `type` of state messages.
    public static let type = "stream-state"

    /// `live`: polled on schedule. `degraded`: its last polls failed with an error that may pass
    /// (throttling, a 5xx, the network); it keeps trying on schedule. `unavailable`: AWS refuses
    /// the API to this account (no subscription, access denied, not enabled); it is tried again
    /// rarely (`retryAt`).
    public var state: String
    /// When the stream entered this state.
    public var since: String
    /// The AWS operation that failed, its error code and message (absent for `live`).
    public var operation: String?
    public var code: String?
    public var message: String?
    /// When the next attempt is due, for `unavailable`.
    public var retryAt: String?

    public init(
        state: String, since: String, operation: String? = nil, code: String? = nil, message: String? = nil,
        retryAt: String? = nil
    ) {
        self.state = state
        self.since = since
        self.operation = operation
        self.code = code
        self.message = message
        self.retryAt = retryAt
    }
}
