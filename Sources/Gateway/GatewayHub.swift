import Bus
import Logging
import NIOCore
import Payloads
import Synchronization

/// The relay: one bus subscription for the whole process, fanned out to local connections.
///
/// Its state is a value, ``GatewayHubStateMachine``, in a `Mutex`; this class performs what the
/// state machine's transitions return, outside the lock:
/// - A stream is subscribed in the bus when its first local client subscribes and
///   unsubscribed after its last leaves; one worker makes every bus call, one at a time
///   (`GatewayHub+Bus.swift`).
/// - Each message is prepared once (`PreparedMessage`) and the same buffers are queued to every
///   subscriber; WebSocket flushes are batched per event loop, one `execute` per loop per burst.
/// - The last id relayed per stream is tracked: ids at or below it are skipped, and after a
///   `.gap` (or a subscription gone silent for three heartbeat intervals) the missed entries are
///   read from history and relayed, in order, before the live ones that came meanwhile.
/// - A new subscriber catches up from history (its resume, or what came after its snapshot) as
///   its socket drains, then goes live (`GatewayHub+Subscribe.swift`).
/// - Tasks that wait (for a subscription, for the drain, the idle worker) are continuations the
///   state machine hands back when what they wait for happens.
final class GatewayHub<Source: SubscriberBus>: Sendable {
    typealias Waiter = CheckedContinuation<Bool, Never>
    typealias StateMachine = GatewayHubStateMachine<ClientOutbox, Waiter>

    let bus: Source
    let configuration: GatewayConfiguration
    let metrics: GatewayMetrics
    let logger: Logger
    let clock = ContinuousClock()
    let state: Mutex<StateMachine>

    init(bus: Source, configuration: GatewayConfiguration, metrics: GatewayMetrics, logger: Logger) {
        self.bus = bus
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        let limits = configuration.limits
        let machine = StateMachine(
            configuration: .init(
                admission: .init(
                    maxConnections: limits.maxConnections, maxPendingHandshakes: limits.maxPendingHandshakes,
                    maxPendingHandshakesPerAddress: limits.maxPendingHandshakesPerAddress),
                silenceLimit: configuration.busHeartbeatInterval * 3, recoveryTimeout: limits.recoveryTimeout,
                maxRecoveryMessages: limits.maxRecoveryMessages),
            now: ContinuousClock().now)
        self.state = Mutex(machine)
    }

    var connectionLimits: ClientOutbox.Limits {
        .init(maxMessages: configuration.limits.maxQueuedMessages, maxBytes: configuration.limits.maxQueuedBytes)
    }

    /// Resumes what a transition woke.
    func resume(_ waiters: [Waiter]) {
        for waiter in waiters { waiter.resume(returning: true) }
    }

    // MARK: Connections

    /// Registers an authenticated connection; false at the connection limit or while draining.
    func admit(_ connection: ClientOutbox) -> Bool {
        state.withLock { $0.admit(connection.id, connection) }
    }

    /// Registers a connection that has not authenticated yet (an Engine.IO session before its
    /// namespace CONNECT), against the pending-handshake budgets; ``promote(_:)`` moves it to a
    /// counted slot. nil when admitted.
    func admitPending(_ connection: ClientOutbox, from address: ClientAddress) -> GatewayAdmission.Refusal? {
        state.withLock { $0.admitPending(connection.id, connection, from: address) }
    }

    /// A pending connection authenticated: it takes a counted slot. nil when it did.
    func promote(_ connection: ClientOutbox) -> GatewayAdmission.Refusal? {
        state.withLock { $0.promote(connection.id) }
    }

    var hasCapacity: Bool { state.withLock { $0.hasCapacity } }

    /// Why a pending connection from `address` would be refused now; nil: it would be admitted.
    func pendingRefusal(from address: ClientAddress) -> GatewayAdmission.Refusal? {
        state.withLock { $0.pendingRefusal(from: address) }
    }

    var pendingHandshakeCount: Int { state.withLock { $0.pendingHandshakeCount } }

    /// Forgets a connection and all its subscriptions.
    func remove(_ connection: ClientOutbox) {
        resume(state.withLock { $0.remove(connection.id) })
    }

    // MARK: Subscriptions

    /// Waits until `stream` is subscribed in the bus, at most `limits.subscribeTimeout`.
    func waitUntilSubscribed(_ stream: StreamName) async throws(ClientProtocolError) {
        if state.withLock({ $0.isSubscribedInBus(stream) }) { return }
        guard await wait(for: .subscribed(stream), timeout: configuration.limits.subscribeTimeout) else {
            throw .unavailable(stream)
        }
    }

    /// Removes the subscription; false when there was none.
    func unsubscribe(_ connection: ClientOutbox, from stream: StreamName) -> Bool {
        let (isRemoved, wakeups) = state.withLock { $0.unsubscribe(connection.id, from: stream) }
        resume(wakeups)
        return isRemoved
    }

    // MARK: Relay (hot path)

    /// Relays one bus message to every local subscriber of its stream, once, in id order (or
    /// keeps it while the stream's history is read back).
    func relay(_ message: BusMessage) {
        var flushes = FlushBatches()
        let now = clock.now
        _ = state.withLock { $0.receive(message, now: now, into: &flushes) }
        flushes.schedule(metrics: metrics)
    }

    // MARK: Draining and observing

    /// Stops admitting connections and asks every open one to close with 1001 "going away".
    func beginDrain() {
        for connection in state.withLock({ $0.beginDrain() }) { connection.requestClose(.goingAway) }
    }

    /// Waits until every connection has gone, at most `timeout`.
    func waitUntilDrained(timeout: Duration) async {
        _ = await wait(for: .drained, timeout: timeout)
    }

    /// Running, not draining, connected to the bus (and resubscribed after a reconnect), every
    /// stream with subscribers subscribed in the bus, and no history read after a gap still
    /// under way (its stream's clients wait for it: a new client is better sent elsewhere).
    var isReady: Bool {
        bus.isConnected && state.withLock { $0.isReady }
    }

    var connectionCount: Int { state.withLock { $0.connectionCount } }

    func subscriptionCounts() -> [StreamName: Int] {
        state.withLock { $0.subscriptionCounts() }
    }

    func busSubscribedStreams() -> Set<StreamName> {
        state.withLock { $0.busSubscribedStreams() }
    }
}
