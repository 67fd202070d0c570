import Bus
import Payloads

/// What the hub's bus worker does next, one at a time: the only calls to the bus's
/// subscribe, unsubscribe and history reads outside a new subscriber's own catch-up. Each action
/// has one completion on ``GatewayHubStateMachine`` that the worker calls with its result.
enum GatewayHubBusAction: Sendable, Equatable {
    /// Subscribe in the bus, then read the newest stored id (the baseline a new subscriber's
    /// snapshot covers): `subscribed(_:latest:now:into:)`, or `subscribeFailed(_:)`.
    case subscribe(StreamName)
    /// The last local subscriber left: `unsubscribed(_:)`, whether the bus call worked or not.
    case unsubscribe(StreamName)
    /// The stream went silent: unsubscribe and subscribe again, then `resubscribed(_:now:)` (also
    /// when a call failed: the read-back runs, and silence is detected again).
    case resubscribe(StreamName)
    /// Read stored messages after `after` (all when nil), at most `limit`: `historyRead(_:page:now:into:)`,
    /// or `recoveryReadFailed(_:now:into:)`.
    case readHistory(StreamName, after: BusMessageID?, limit: Int)
    /// More was missed than is replayed: read the newest id to go on from it,
    /// `skippedToLatest(_:latest:now:into:)`, or `recoveryReadFailed(_:now:into:)`.
    case readLatest(StreamName)
}
