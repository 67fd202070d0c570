import AsyncPrimitives
import Bus
import Payloads

/// The relay hub's state as one plain value: connections and admission, each stream's
/// subscriptions, its bus subscription (demand), its last relayed id, recovery from history,
/// and drain.
///
/// It does no I/O and holds no lock. `GatewayHub` keeps it in a `Mutex`; every `mutating` method
/// returns what the caller does once the lock is released: the waiters to resume (the bus
/// worker, tasks waiting for a subscription or for the drain), the subscribers to tell something,
/// or the bus call to make (``GatewayHubBusAction``, performed by one worker, one at a
/// time). Messages are queued to subscribers through a ``GatewayHubRelaySink`` inside the lock;
/// they are written after it.
///
/// A stream's life: `unsubscribed` → (a subscriber) `subscribing` → `live` → (its last subscriber
/// left) `unsubscribing` → `unsubscribed`. While `live` it can be `recovering` (after a bus
/// gap: its history after the last relayed id is read back) or `resubscribing` then `recovering`
/// (silent for three heartbeats). Whenever it is not live its live messages wait in a bounded
/// buffer and are relayed, after the history read and without duplicates, when it goes live
/// again: nothing is relayed out of order, nothing published while the bus dropped us is lost.
///
/// Generic over what a subscriber and a waiter are, so that tests drive it with plain values.
struct GatewayHubStateMachine<Subscriber, Waiter> {
    typealias Instant = ContinuousClock.Instant

    struct Configuration: Sendable {
        var admission: GatewayAdmission.Limits
        /// A live stream with subscribers and no message (heartbeats included) for this long is
        /// resubscribed.
        var silenceLimit: Duration
        /// How long a recovery retries a failing history read before telling subscribers to resync.
        var recoveryTimeout: Duration
        /// At most this many messages are read back per recovery; past it, subscribers resync.
        var maxRecoveryMessages: Int
        var historyPageSize = 500
        /// Live messages kept per stream while it is not live; past it they are read from history.
        var bufferLimit = 1_000
        /// The wait before each read of a failing recovery: 50 ms, doubling, at most a second.
        var recoveryRetry = ExponentialBackoff(initial: .milliseconds(50), maximum: .seconds(1))
    }

    let configuration: Configuration
    /// Indexed as `StreamName.allCases`. (Not `private(set)`: the transitions live in extensions,
    /// one file per concern; only they mutate it.)
    var streams: [StreamState]
    /// Every registered connection, pending or counted (closed on drain).
    private(set) var connections: [ConnectionID: Subscriber] = [:]
    private var admission: GatewayAdmission
    /// Set while `GatewayHub.run()` runs.
    var isRunning = false
    private(set) var isDraining = false
    /// The last relayed id of every stream subscribed in the bus (`0-0`: nothing was stored
    /// when it was subscribed): where a live SSE subscriber stands.
    var positions = StreamPositions()
    /// The bus worker, when it has nothing to do.
    var parkedWorker: Waiter?
    private var subscriptionWaiters: [GatewayHubWaiterID: (stream: StreamName, waiter: Waiter)] = [:]
    private var drainWaiters: [GatewayHubWaiterID: Waiter] = [:]
    private var lastWaiterID: UInt64 = 0

    init(configuration: Configuration, now: Instant) {
        self.configuration = configuration
        self.admission = GatewayAdmission(limits: configuration.admission)
        self.streams = StreamName.allCases.map { StreamState(name: $0, now: now) }
    }

    static func index(of stream: StreamName) -> Int? { StreamSet.index(of: stream) }

    func stream(_ name: StreamName) -> StreamState? {
        Self.index(of: name).map { streams[$0] }
    }

    // MARK: Connections

    /// Registers an authenticated connection; false at the connection limit or while draining.
    mutating func admit(_ id: ConnectionID, _ subscriber: Subscriber) -> Bool {
        guard !isDraining, admission.admit(id) == nil else { return false }
        connections[id] = subscriber
        return true
    }

    /// Registers a connection that has not authenticated yet, against the pending budgets.
    mutating func admitPending(_ id: ConnectionID, _ subscriber: Subscriber, from address: ClientAddress)
        -> GatewayAdmission.Refusal?
    {
        guard !isDraining else { return .draining }
        if let refusal = admission.admitPending(id, from: address) { return refusal }
        connections[id] = subscriber
        return nil
    }

    /// A pending connection authenticated: it takes a counted slot. nil when it did.
    mutating func promote(_ id: ConnectionID) -> GatewayAdmission.Refusal? {
        isDraining ? .draining : admission.promote(id)
    }

    var hasCapacity: Bool { !isDraining && admission.hasCapacity }

    func pendingRefusal(from address: ClientAddress) -> GatewayAdmission.Refusal? {
        isDraining ? .draining : admission.pendingRefusal(from: address)
    }

    var pendingHandshakeCount: Int { admission.pendingCount }

    /// Forgets a connection and its subscriptions. Wakes the worker when a stream lost its last
    /// subscriber, and the drain's waiters when it was the last connection.
    mutating func remove(_ id: ConnectionID) -> [Waiter] {
        connections[id] = nil
        admission.release(id)
        var hasEmptied = false
        for index in streams.indices {
            let wasLive = streams[index].live.removeValue(forKey: id) != nil
            let wasStarting = streams[index].starting.removeValue(forKey: id) != nil
            let isRemoved = wasLive || wasStarting
            hasEmptied = hasEmptied || (isRemoved && !streams[index].hasSubscribers)
        }
        var wakeups = hasEmptied ? wakeWorkerIfWorkIsDue() : []
        if connections.isEmpty {
            wakeups += drainWaiters.values
            drainWaiters = [:]
        }
        return wakeups
    }

    // MARK: Drain

    /// Stops admitting connections; the connections to ask to close.
    mutating func beginDrain() -> [Subscriber] {
        isDraining = true
        return Array(connections.values)
    }

    /// True when every connection has gone already; otherwise `waiter` is resumed when the last
    /// one goes (or taken back with `cancelWait(_:)`).
    mutating func waitUntilDrained(id: GatewayHubWaiterID, waiter: Waiter) -> Bool {
        guard !connections.isEmpty else { return true }
        drainWaiters[id] = waiter
        return false
    }

    // MARK: Waiting for a subscription

    mutating func makeWaiterID() -> GatewayHubWaiterID {
        lastWaiterID += 1
        return GatewayHubWaiterID(value: lastWaiterID)
    }

    func isSubscribedInBus(_ stream: StreamName) -> Bool {
        self.stream(stream)?.isSubscribedInBus ?? false
    }

    /// True when `stream` is subscribed in the bus already; otherwise `waiter` is resumed when
    /// it is (or taken back with `cancelWait(_:)`).
    mutating func waitUntilSubscribed(_ stream: StreamName, id: GatewayHubWaiterID, waiter: Waiter) -> Bool {
        guard !isSubscribedInBus(stream) else { return true }
        subscriptionWaiters[id] = (stream, waiter)
        return false
    }

    /// A waiter that timed out or was cancelled; nil when it was resumed already.
    mutating func cancelWait(_ id: GatewayHubWaiterID) -> Waiter? {
        if let entry = subscriptionWaiters.removeValue(forKey: id) { return entry.waiter }
        return drainWaiters.removeValue(forKey: id)
    }

    mutating func takeSubscriptionWaiters(of stream: StreamName) -> [Waiter] {
        let ids = subscriptionWaiters.filter { $0.value.stream == stream }.map(\.key)
        return ids.compactMap { subscriptionWaiters.removeValue(forKey: $0)?.waiter }
    }

    // MARK: Observing

    /// Running, not draining, no stream's history being read back (its clients wait for it) and
    /// no failed subscribe a client waits for. The owner adds the bus connection's state.
    var isReady: Bool {
        isRunning && !isDraining && !streams.contains { $0.isRecovering || $0.hasFailedSubscribe }
    }

    var connectionCount: Int { connections.count }

    func lastRelayed(of stream: StreamName) -> BusMessageID? {
        self.stream(stream)?.lastRelayed
    }

    func subscriptionCounts() -> [StreamName: Int] {
        Dictionary(uniqueKeysWithValues: streams.map { ($0.name, $0.live.count + $0.starting.count) })
    }

    func busSubscribedStreams() -> Set<StreamName> {
        Set(streams.filter(\.isSubscribedInBus).map(\.name))
    }

    /// Keeps `positions` in line with a stream's phase and last relayed id.
    mutating func updatePosition(at index: Int) {
        let stream = streams[index]
        positions[stream.name] = stream.isSubscribedInBus ? stream.lastRelayed ?? .zero : nil
    }
}

extension GatewayHubStateMachine: Sendable where Subscriber: Sendable, Waiter: Sendable {}
