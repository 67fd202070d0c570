import Bus

/// One pass of reading a stream's history back after the last relayed id (after a gap, a
/// resubscribe or missed live messages), while its live messages wait.
struct GatewayHubRecovery: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        /// Read the next page after `after`.
        case readHistory
        /// `maxRecoveryMessages` were replayed: skip to the newest id and tell the subscribers to resync.
        case readLatest
    }

    /// The last id read back (the last relayed when the pass started; nil: from the log's start).
    var after: BusMessageID?
    /// Messages read back in this pass.
    var recovered = 0
    var step = Step.readHistory
    /// A read failing after it gives up: the subscribers are told to resync.
    let deadline: ContinuousClock.Instant
    /// Reads that failed in this pass: the next waits ``GatewayHubStateMachine/Configuration/recoveryRetry``
    /// for this attempt.
    var failedReads = 0
}
