import Bus
import Logging
import NIOCore
import Payloads
import Synchronization

/// The relay: one broker subscription for the whole process, fanned out to local connections.
///
/// - A stream is subscribed in the broker when its first local client subscribes and
///   unsubscribed after its last leaves (the reconciler task does every broker subscribe call,
///   one at a time).
/// - Each message is prepared once (`PreparedMessage`) and the same buffers are queued to every
///   subscriber; WebSocket flushes are batched per event loop, one `execute` per loop per burst.
/// - The last id relayed per stream is tracked: ids at or below it are skipped, and after a
///   `.gap` (or a subscription gone silent for three heartbeat intervals) the missed entries are
///   read from history and relayed, in order, before live ones.
/// - A new subscriber catches up from history (its resume, or what came after its snapshot) as
///   its socket drains, then goes live (`GatewayHub+Subscribe.swift`).
final class GatewayHub<Bus: SubscriberBus>: Sendable {
    enum BrokerState: Sendable, Equatable {
        case unsubscribed
        case subscribing
        case subscribed
        case unsubscribing
    }

    /// One connection's subscription to one stream. Only touched under the hub lock.
    final class Subscription {
        enum Phase {
            /// Being sent history (its resume, or what followed its snapshot): live messages are
            /// not queued, it reads them from history (every message relayed was stored first).
            case catchingUp
            /// Caught up to the last relayed id while the connection's other streams are not:
            /// live messages wait in `held` (past `heldLimit` it goes back to catching up).
            case holding
            case live
        }

        let connection: GatewayConnection
        var phase = Phase.catchingUp
        /// Messages at or below it were sent already (snapshot or history).
        var floor: BusMessageID?
        var held: [BusMessage] = []
        let heldLimit: Int

        init(connection: GatewayConnection, heldLimit: Int) {
            self.connection = connection
            self.heldLimit = heldLimit
        }
    }

    /// Only touched under the hub lock.
    final class StreamState {
        var subscribers: [ConnectionID: Subscription] = [:]
        var broker: BrokerState = .unsubscribed
        var lastRelayed: BusMessageID?
        var lastSeen: ContinuousClock.Instant
        var hasFailedSubscribe = false

        init(now: ContinuousClock.Instant) {
            self.lastSeen = now
        }
    }

    struct State {
        var streams: [StreamName: StreamState] = [:]
        /// Every registered connection, pending or counted (closed on drain).
        var connections: [ConnectionID: GatewayConnection] = [:]
        var admission: GatewayAdmission
        var isRunning = false
        var isDraining = false
        /// Streams whose history is being read back after a gap: live messages wait meanwhile.
        var recoveringStreams = 0
    }

    let bus: Bus
    let configuration: GatewayConfiguration
    let metrics: GatewayMetrics
    let logger: Logger
    let clock = ContinuousClock()
    /// Internal for the subscribe path (`GatewayHub+Subscribe.swift`); nothing else touches it.
    let state: Mutex<State>
    private let relayLock = AsyncSerialLock()
    let reconcileSignal = WakeSignal()

    init(bus: Bus, configuration: GatewayConfiguration, metrics: GatewayMetrics, logger: Logger) {
        self.bus = bus
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        let now = ContinuousClock().now
        var initial = State(
            admission: GatewayAdmission(
                limits: .init(
                    maxConnections: configuration.limits.maxConnections,
                    maxPendingHandshakes: configuration.limits.maxPendingHandshakes,
                    maxPendingHandshakesPerAddress: configuration.limits.maxPendingHandshakesPerAddress)))
        for stream in StreamName.allCases { initial.streams[stream] = StreamState(now: now) }
        self.state = Mutex(initial)
    }

    var connectionLimits: GatewayConnection.Limits {
        .init(maxMessages: configuration.limits.maxQueuedMessages, maxBytes: configuration.limits.maxQueuedBytes)
    }

    // MARK: Connections

    /// Registers an authenticated connection; false at the connection limit or while draining.
    func admit(_ connection: GatewayConnection) -> Bool {
        state.withLock { state in
            guard !state.isDraining, state.admission.admit(connection.id) == nil else { return false }
            state.connections[connection.id] = connection
            return true
        }
    }

    /// Registers a connection that has not authenticated yet (an Engine.IO session before its
    /// namespace CONNECT), against the pending-handshake budgets; ``promote(_:)`` moves it to a
    /// counted slot. nil when admitted.
    func admitPending(_ connection: GatewayConnection, from address: ClientAddress) -> GatewayAdmission.Refusal? {
        state.withLock { state in
            guard !state.isDraining else { return .draining }
            if let refusal = state.admission.admitPending(connection.id, from: address) { return refusal }
            state.connections[connection.id] = connection
            return nil
        }
    }

    /// A pending connection authenticated: it takes a counted slot. nil when it did.
    func promote(_ connection: GatewayConnection) -> GatewayAdmission.Refusal? {
        state.withLock { state in state.isDraining ? .draining : state.admission.promote(connection.id) }
    }

    var hasCapacity: Bool {
        state.withLock { !$0.isDraining && $0.admission.hasCapacity }
    }

    /// Why a pending connection from `address` would be refused now; nil: it would be admitted.
    func pendingRefusal(from address: ClientAddress) -> GatewayAdmission.Refusal? {
        state.withLock { state in state.isDraining ? .draining : state.admission.pendingRefusal(from: address) }
    }

    var pendingHandshakeCount: Int { state.withLock { $0.admission.pendingCount } }

    /// Forgets a connection and all its subscriptions.
    func remove(_ connection: GatewayConnection) {
        let emptied = state.withLock { state -> Bool in
            state.connections[connection.id] = nil
            state.admission.release(connection.id)
            var emptied = false
            for stream in state.streams.values where stream.subscribers.removeValue(forKey: connection.id) != nil {
                emptied = emptied || stream.subscribers.isEmpty
            }
            return emptied
        }
        if emptied { reconcileSignal.signal() }
    }

    // MARK: Subscriptions

    func waitUntilSubscribed(_ stream: StreamName) async throws(ClientProtocolError) {
        let deadline = clock.now.advanced(by: configuration.limits.subscribeTimeout)
        while true {
            let broker = state.withLock { $0.streams[stream]?.broker }
            if broker == .subscribed { return }
            if clock.now >= deadline || Task.isCancelled { throw .unavailable(stream) }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Removes the subscription; false when there was none.
    func unsubscribe(_ connection: GatewayConnection, from stream: StreamName) -> Bool {
        let (removed, emptied) = state.withLock { state -> (Bool, Bool) in
            guard let streamState = state.streams[stream],
                streamState.subscribers.removeValue(forKey: connection.id) != nil
            else { return (false, false) }
            return (true, streamState.subscribers.isEmpty)
        }
        if emptied { reconcileSignal.signal() }
        return removed
    }

    func send(_ error: ClientProtocolError, to connection: GatewayConnection) {
        switch connection.format {
        case .webSocket:
            connection.send(ControlMessage.error(error))
        case .serverSentEvents:
            connection.send(PreparedMessage.sseEvent(id: nil, event: "error", data: ControlMessage.error(error)))
        case .socketIO:
            connection.send(SocketIOFrames.event("error", json: SocketIOFrames.errorPayload(error)))
        }
    }

    // MARK: Relay (hot path)

    /// Relays one broker message to every local subscriber of its stream, once, in id order.
    func relay(_ message: BusMessage) {
        var flushes = FlushBatches()
        let now = clock.now
        state.withLock { state in
            guard let streamState = state.streams[message.stream] else { return }
            streamState.lastSeen = now
            if let last = streamState.lastRelayed, message.id <= last { return }
            streamState.lastRelayed = message.id
            guard !streamState.subscribers.isEmpty else { return }
            GatewayMetrics.add(metrics.messagesRelayed)
            let prepared = PreparedMessage(message)
            for subscription in streamState.subscribers.values {
                switch subscription.phase {
                case .live:
                    if let floor = subscription.floor, message.id <= floor { continue }
                    if prepared.positions == nil, subscription.connection.format == .serverSentEvents {
                        prepared.positions = Self.positions(of: state.streams)
                    }
                    flushes.enqueue(prepared, to: subscription.connection)
                case .holding:
                    if subscription.held.count < subscription.heldLimit {
                        subscription.held.append(message)
                    } else {
                        // It reads them from history instead.
                        subscription.held = []
                        subscription.phase = .catchingUp
                    }
                case .catchingUp:
                    continue
                }
            }
        }
        flushes.schedule(metrics: metrics)
    }

    /// Where a live SSE subscriber of each stream stands: the last id relayed (`0-0` for a stream
    /// with nothing stored when it was subscribed: everything stored after is new to its readers).
    static func positions(of streams: [StreamName: StreamState]) -> StreamPositions {
        var positions = StreamPositions()
        for (name, stream) in streams where stream.broker == .subscribed {
            positions[name] = stream.lastRelayed ?? .zero
        }
        return positions
    }

    // MARK: Running

    /// Consumes the broker's events and keeps the broker subscriptions in line with local demand
    /// until cancelled.
    func run() async throws {
        state.withLock { $0.isRunning = true }
        defer { state.withLock { $0.isRunning = false } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeEvents() }
            group.addTask { await self.reconcile() }
            await group.next()
            group.cancelAll()
        }
    }

    private func consumeEvents() async {
        for await event in bus.events {
            switch event {
            case .message(let message):
                await relayLock.withLock { relay(message) }
            case .gap:
                GatewayMetrics.add(metrics.brokerGaps)
                logger.info("Broker reported a gap; recovering from history")
                let streams = state.withLock { state in state.streams.filter { $0.value.broker == .subscribed }.map(\.key) }
                for stream in streams { await recover(stream) }
            }
            if Task.isCancelled { break }
        }
    }

    /// Reads history after the last relayed id of `stream` and relays it, before any live message
    /// (the relay lock is held throughout). A failed read is retried with backoff (50 ms doubling
    /// to 1 s) for up to `limits.recoveryTimeout`: after a Redis restart the command connection
    /// that reads history can come back after the pub/sub one that reported the gap. Past that,
    /// the subscribers are told to resync.
    private func recover(_ stream: StreamName) async {
        await relayLock.withLock { await recoverHoldingRelayLock(stream) }
    }

    /// `recover`'s work, for a caller that holds the relay lock.
    private func recoverHoldingRelayLock(_ stream: StreamName) async {
        state.withLock { $0.recoveringStreams += 1 }
        defer { state.withLock { $0.recoveringStreams -= 1 } }
        // Nil: nothing was stored when the stream was subscribed, so all that is stored is new.
        var after = state.withLock { $0.streams[stream]?.lastRelayed }
        var total = 0
        let deadline = clock.now.advanced(by: configuration.limits.recoveryTimeout)
        var delay = Duration.milliseconds(50)
        while true {
            do {
                try await readBack(stream, after: &after, total: &total)
                return
            } catch {
                GatewayMetrics.add(metrics.brokerErrors)
                guard clock.now < deadline, !Task.isCancelled else {
                    logger.warning(
                        "History read failed; subscribers must resync",
                        metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
                    tellSubscribersToResync(stream)
                    return
                }
                logger.info("History read failed; retrying", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            }
        }
    }

    /// Relays the history of `stream` after `after`, page by page, advancing `after` and `total`
    /// as it goes (so a retry resumes where a failure stopped it). Call under the relay lock.
    private func readBack(_ stream: StreamName, after: inout BusMessageID?, total: inout Int) async throws {
        let maximum = configuration.limits.maxRecoveryMessages
        while total < maximum {
            let limit = min(500, maximum - total)
            let page = try await bus.history(of: stream, after: after, limit: limit)
            for message in page { relay(message) }
            total += page.count
            GatewayMetrics.add(metrics.recoveredMessages, page.count)
            guard let last = page.last, page.count == limit else { break }
            after = last.id
        }
        if total >= maximum {
            // More was missed than we replay: the subscribers must start again.
            let latest = try await bus.latest(of: stream)
            if let latest { state.withLock { $0.streams[stream]?.lastRelayed = latest.id } }
            tellSubscribersToResync(stream)
        }
        if total > 0 {
            logger.info("Recovered from history", metadata: ["gateway.stream": "\(stream)", "gateway.count": "\(total)"])
        }
    }

    /// Subscribers still catching up read the history themselves: they miss nothing.
    private func tellSubscribersToResync(_ stream: StreamName) {
        let connections = state.withLock { state in
            state.streams[stream]?.subscribers.values.filter { $0.phase != .catchingUp }.map(\.connection) ?? []
        }
        for connection in connections { send(.resyncRequired(stream), to: connection) }
    }

    /// The only caller of `bus.subscribe`/`unsubscribe`: brings broker subscriptions in line with
    /// local demand, retries failures, and resubscribes streams silent for three heartbeats.
    private func reconcile() async {
        let tick = min(configuration.brokerHeartbeatInterval, .seconds(1))
        while !Task.isCancelled {
            let now = clock.now
            let silence = configuration.brokerHeartbeatInterval * 3
            let plan = state.withLock { state -> (subscribe: [StreamName], unsubscribe: [StreamName], dead: [StreamName]) in
                var plan: ([StreamName], [StreamName], [StreamName]) = ([], [], [])
                for (name, stream) in state.streams {
                    switch stream.broker {
                    case .unsubscribed where !stream.subscribers.isEmpty:
                        stream.broker = .subscribing
                        plan.0.append(name)
                    case .subscribed where stream.subscribers.isEmpty:
                        stream.broker = .unsubscribing
                        plan.1.append(name)
                    case .subscribed where now - stream.lastSeen > silence:
                        stream.lastSeen = now
                        plan.2.append(name)
                    default:
                        break
                    }
                }
                return plan
            }
            for stream in plan.subscribe { await subscribeInBroker(stream) }
            for stream in plan.unsubscribe { await unsubscribeInBroker(stream) }
            for stream in plan.dead { await resubscribe(stream) }
            await reconcileSignal.wait(timeout: tick)
        }
    }

    private func subscribeInBroker(_ stream: StreamName) async {
        do {
            try await bus.subscribe(to: stream)
            // The baseline for gap recovery: everything stored up to now is what a new
            // subscriber's snapshot covers.
            try await relayLock.withLock {
                let latest = try await bus.latest(of: stream)
                state.withLock { state in
                    guard let streamState = state.streams[stream] else { return }
                    if let latest, streamState.lastRelayed.map({ latest.id > $0 }) ?? true { streamState.lastRelayed = latest.id }
                    streamState.broker = .subscribed
                    streamState.lastSeen = clock.now
                    streamState.hasFailedSubscribe = false
                }
            }
            logger.debug("Subscribed in the broker", metadata: ["gateway.stream": "\(stream)"])
        } catch {
            GatewayMetrics.add(metrics.brokerErrors)
            logger.warning("Broker subscribe failed; will retry", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            state.withLock { state in
                state.streams[stream]?.broker = .unsubscribed
                state.streams[stream]?.hasFailedSubscribe = true
            }
        }
    }

    private func unsubscribeInBroker(_ stream: StreamName) async {
        do {
            try await bus.unsubscribe(from: stream)
            logger.debug("Unsubscribed in the broker", metadata: ["gateway.stream": "\(stream)"])
        } catch {
            GatewayMetrics.add(metrics.brokerErrors)
            logger.warning("Broker unsubscribe failed", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
        }
        let again = state.withLock { state -> Bool in
            guard let streamState = state.streams[stream] else { return false }
            streamState.broker = .unsubscribed
            streamState.lastRelayed = nil
            return !streamState.subscribers.isEmpty
        }
        if again { reconcileSignal.signal() }
    }

    /// A subscription that went silent: subscribe again and read back what it missed.
    /// Unsubscribes and subscribes `stream` again, then reads back what the window missed, all
    /// under the relay lock: a live message arriving right after the new subscribe waits, instead
    /// of being relayed before (and so past) the entries published while unsubscribed.
    private func resubscribe(_ stream: StreamName) async {
        GatewayMetrics.add(metrics.brokerResubscribes)
        logger.info("No message for three heartbeat intervals; resubscribing", metadata: ["gateway.stream": "\(stream)"])
        await relayLock.withLock {
            do {
                try await bus.unsubscribe(from: stream)
                try await bus.subscribe(to: stream)
            } catch {
                GatewayMetrics.add(metrics.brokerErrors)
                logger.warning("Resubscribe failed; will retry", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            }
            await recoverHoldingRelayLock(stream)
        }
    }

    // MARK: Draining and observing

    /// Stops admitting connections and asks every open one to close with 1001 "going away".
    func beginDrain() {
        let connections = state.withLock { state -> [GatewayConnection] in
            state.isDraining = true
            return Array(state.connections.values)
        }
        for connection in connections { connection.requestClose(.goingAway) }
    }

    /// Waits until every connection has gone, at most `timeout`.
    func waitUntilDrained(timeout: Duration) async {
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline, !Task.isCancelled {
            if state.withLock({ $0.connections.isEmpty }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Running, not draining, connected to the broker (and resubscribed after a reconnect), every
    /// stream with subscribers subscribed in the broker, and no history read after a gap still
    /// under way (its stream's clients wait for it: a new client is better sent elsewhere).
    var isReady: Bool {
        bus.isConnected
            && state.withLock { state in
                state.isRunning && !state.isDraining && state.recoveringStreams == 0
                    && !state.streams.values.contains { $0.hasFailedSubscribe }
            }
    }

    var connectionCount: Int { state.withLock { $0.connections.count } }

    func subscriptionCounts() -> [StreamName: Int] {
        state.withLock { state in state.streams.mapValues { $0.subscribers.count } }
    }

    func brokerSubscribedStreams() -> Set<StreamName> {
        state.withLock { state in Set(state.streams.filter { $0.value.broker == .subscribed }.map(\.key)) }
    }
}
