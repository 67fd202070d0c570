import Bus
import Logging
import NIOCore
import NIOPosix
import Payloads
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One Engine.IO v4 session (`sid`): its transport (long-polling, upgrading, WebSocket), the
/// heartbeat, and the inbound packets handed one at a time to its Socket.IO client.
///
/// Outbound, everything goes through the session's `ClientOutbox` (the hub's bounded queue):
/// pulled by long-polling GETs, or flushed to the WebSocket channel once upgraded. Inbound
/// packets arrive from POST bodies or WebSocket frames; `receive` does the cheap Engine.IO part at
/// once (pong, close, rate limit) and queues message packets for a short-lived task that handles
/// them in order and ends when none is left, so a POST is answered without waiting for a
/// subscription. The heartbeat, the token expiry and the connect timeout are timers on an event
/// loop: an idle session holds no task.
final class EngineIOSession<Source: SubscriberBus>: Sendable {
    enum TransportState: Sendable, Equatable {
        case polling
        /// A WebSocket sent `2probe`; long-polling is being wound down until `5`.
        case upgrading
        case webSocket
    }

    enum Inbound: Sendable {
        case packet(SocketIOPacket)
        case binary
    }

    /// What a long-polling request gets.
    struct PollingReply: Sendable {
        var status: Int
        var body: ByteBuffer
        /// `text/plain; charset=UTF-8` for payloads, `application/json` for errors.
        var isError: Bool

        static func error(_ error: EngineIOError) -> PollingReply {
            PollingReply(status: error.status, body: ByteBuffer(string: error.json), isError: true)
        }
    }

    private struct State {
        var transport: TransportState
        var isPollPending = false
        var isPostPending = false
        var limiter: InboundRateLimiter
        /// Packets waiting for the inbound task, oldest first.
        var inbound: [Inbound] = []
        /// The Socket.IO client while no inbound task holds it; nil while one runs.
        var client: SocketIOClient<Source>?
        var isHandlingInbound = false
        var hasConnected = false
        var isEnded = false
        /// The next ping, or the deadline of the pong to the last one.
        var heartbeat: Scheduled<Void>?
        var expiry: Scheduled<Void>?
        var connectTimeout: Scheduled<Void>?
    }

    /// Inbound packets waiting for the inbound task beyond this close the session.
    static var maxQueuedInbound: Int { 256 }

    let id: String
    let connection: ClientOutbox
    let hub: GatewayHub<Source>
    let settings: GatewayConfiguration.SocketIO
    let authenticator: GatewayAuthenticator
    let handshakeToken: String?
    let now: @Sendable () -> Date
    let logger: Logger
    private let clock = ContinuousClock()
    private let state: Mutex<State>
    /// Where the session's timers run: its WebSocket's loop, or any for a long-polling session.
    private let timerLoop: any EventLoop

    init(
        id: String = SessionID.make(), delivery: ClientOutbox.Delivery, hub: GatewayHub<Source>,
        authenticator: GatewayAuthenticator, handshakeToken: String?, now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.id = id
        self.hub = hub
        self.settings = hub.configuration.socketIO
        self.authenticator = authenticator
        self.handshakeToken = handshakeToken
        self.now = now
        var logger = logger
        logger[metadataKey: "socketio.sid"] = "\(id)"
        self.logger = logger
        self.connection = ClientOutbox(
            format: .socketIO, delivery: delivery, limits: hub.connectionLimits, metrics: hub.metrics)
        let isWebSocket: Bool
        if case .channel(let channel) = delivery {
            isWebSocket = true
            timerLoop = channel.eventLoop
        } else {
            isWebSocket = false
            timerLoop = MultiThreadedEventLoopGroup.singleton.any()
        }
        let start = clock.now
        self.state = Mutex(
            State(
                transport: isWebSocket ? .webSocket : .polling,
                limiter: InboundRateLimiter(messagesPerSecond: hub.configuration.limits.inboundMessagesPerSecond, now: start)))
    }

    /// The open packet for this session.
    func openPacket(upgrades: [String]) -> ByteBuffer {
        SocketIOFrames.open(
            sessionID: id, upgrades: upgrades, pingInterval: settings.pingInterval, pingTimeout: settings.pingTimeout,
            maxPayload: settings.maxPayload)
    }

    var transport: TransportState { state.withLock { $0.transport } }

    /// Open, or closed with last packets a live client should still pick up (a disconnect, the
    /// close). A session closed because its client is gone (ping timeout, its own close, a
    /// protocol error) answers no more requests.
    var isReachable: Bool {
        if connection.isOpen { return true }
        guard connection.hasPending, let reason = connection.closeReason else { return false }
        return [.tokenExpired, .goingAway, .rateLimited].contains(reason)
    }

    /// Asks the session to end with `reason` (the first reason wins).
    func close(_ reason: CloseReason) {
        connection.requestClose(reason)
    }

    // MARK: Running

    /// Starts the session's timers (the first ping, the connect timeout) and its end: once the
    /// session is closed, its timers stop, a long-polling client has a second to pick up the last
    /// packets, then the hub forgets the connection, the client leaves its streams, and `ended`
    /// is called.
    func start(ended: @escaping @Sendable () -> Void) {
        let expiryContinuation = ExpiryArming(session: self)
        let client = SocketIOClient(
            hub: hub, connection: connection, authenticator: authenticator, handshakeToken: handshakeToken, now: now,
            armExpiry: { expiryContinuation.arm($0) }, logger: logger)
        let connectTimeout = timerLoop.scheduleTask(in: TimeAmount(settings.connectTimeout)) {
            // A session that never joins a namespace is closed, as the reference server does.
            if !self.state.withLock({ $0.hasConnected }) { self.close(.connectTimeout) }
        }
        state.withLock { state in
            state.client = client
            state.connectTimeout = connectTimeout
        }
        schedulePing()
        // On the timer loop, never in the caller: a close can be requested under the hub's lock.
        let loop = timerLoop
        connection.onCloseRequested { _ in loop.execute { self.end(ended: ended) } }
    }

    private func end(ended: @escaping @Sendable () -> Void) {
        let (timers, client) = state.withLock { state -> ([Scheduled<Void>], SocketIOClient<Source>?) in
            state.isEnded = true
            state.inbound = []
            defer {
                state.heartbeat = nil
                state.expiry = nil
                state.connectTimeout = nil
                state.client = nil
            }
            return ([state.heartbeat, state.expiry, state.connectTimeout].compactMap { $0 }, state.client)
        }
        for timer in timers { timer.cancel() }
        // An inbound task still running leaves for the client when it ends.
        var leaving = client
        leaving?.leave()
        // A long-polling client picks up the last packets (a disconnect, the close) with its next
        // GET, which follows the previous answer at once; after a second it is gone anyway.
        let deadline = clock.now.advanced(by: .seconds(1))
        @Sendable func finish() {
            if transport != .webSocket, isReachable, connection.hasPending, clock.now < deadline {
                timerLoop.scheduleTask(in: .milliseconds(20)) { finish() }
                return
            }
            hub.remove(connection)
            logger.debug(
                "Engine.IO session ended", metadata: ["socketio.close.reason": "\(connection.closeReason?.text ?? "closed")"])
            ended()
        }
        finish()
    }

    /// The next ping in `pingInterval`; a client that does not pong within `pingTimeout` of a
    /// ping is closed. A pong schedules the next ping, as the reference server does.
    private func schedulePing() {
        let timer = timerLoop.scheduleTask(in: TimeAmount(settings.pingInterval)) { self.ping() }
        let isEnded = state.withLock { state -> Bool in
            if !state.isEnded { state.heartbeat = timer }
            return state.isEnded
        }
        if isEnded { timer.cancel() }
    }

    private func ping() {
        guard connection.isOpen else { return }
        connection.send(SocketIOFrames.ping)
        let deadline = timerLoop.scheduleTask(in: TimeAmount(settings.pingTimeout)) {
            self.logger.debug("Engine.IO ping timeout")
            self.close(.pingTimeout)
        }
        let isEnded = state.withLock { state -> Bool in
            if !state.isEnded { state.heartbeat = deadline }
            return state.isEnded
        }
        if isEnded { deadline.cancel() }
    }

    private func ponged() {
        let deadline = state.withLock { state -> Scheduled<Void>? in
            defer { state.heartbeat = nil }
            return state.heartbeat
        }
        deadline?.cancel()
        schedulePing()
    }

    /// Closes the session when the token it connected with expires: the client is told with a
    /// DISCONNECT (socket.io-client then does not reconnect on its own: it needs a new token).
    fileprivate func armExpiry(in lifetime: Duration) {
        let connection = self.connection
        let timer = connection.closeWhenTokenExpires(in: lifetime, on: timerLoop, metrics: hub.metrics) {
            connection.send(SocketIOFrames.disconnect(namespace: SocketIOFrames.namespace))
        }
        let previous = state.withLock { state -> Scheduled<Void>?? in
            guard !state.isEnded else { return .none }
            defer { state.expiry = timer }
            return .some(state.expiry)
        }
        switch previous {
        case .none: timer.cancel()
        case .some(let previous): previous?.cancel()
        }
    }

    /// Handles the queued packets in order, then ends; the next packet starts another.
    private func handleInbound() async {
        guard
            var client = state.withLock({ state -> SocketIOClient<Source>? in
                defer { state.client = nil }
                return state.client
            })
        else { return }
        while true {
            let next = state.withLock { state -> Inbound? in
                guard !state.isEnded, !state.inbound.isEmpty else {
                    if !state.isEnded { state.client = client }
                    state.isHandlingInbound = false
                    return nil
                }
                return state.inbound.removeFirst()
            }
            guard let next else { break }
            let outcome: SocketIOClient<Source>.Outcome
            switch next {
            case .packet(let packet): outcome = await client.handle(packet)
            case .binary: outcome = client.handleBinary()
            }
            if client.isConnected {
                let connectTimeout = state.withLock { state -> Scheduled<Void>? in
                    state.hasConnected = true
                    defer { state.connectTimeout = nil }
                    return state.connectTimeout
                }
                connectTimeout?.cancel()
            }
            if case .close(let reason) = outcome {
                _ = protocolError(reason)
            }
        }
        // The session ended while this task held the client: it leaves here.
        if state.withLock({ $0.isEnded }) { client.leave() }
    }

    // MARK: Inbound

    /// Takes one Engine.IO packet from either transport. False when the session is over (the
    /// packet closed it, or it was closed before).
    @discardableResult
    func receive(text: Substring) -> Bool {
        guard connection.isOpen else { return false }
        guard let type = text.first else { return protocolError("empty Engine.IO packet") }
        switch type {
        case "3":
            ponged()
            return true
        case "4":
            guard let packet = SocketIOPacket.parse(text.dropFirst()) else { return protocolError("malformed Socket.IO packet") }
            return enqueue(.packet(packet))
        case "1":
            close(.clientClosed)
            return false
        case "6":
            return true
        case "2":
            // Engine.IO v4: the server pings, the client answers.
            return protocolError("invalid heartbeat direction: the server sends pings in Engine.IO v4")
        default:
            return protocolError("invalid Engine.IO packet type '\(type)'")
        }
    }

    /// A binary Engine.IO message (a WebSocket binary frame, or `b<base64>` in a polling payload).
    @discardableResult
    func receiveBinary() -> Bool {
        guard connection.isOpen else { return false }
        return enqueue(.binary)
    }

    private func enqueue(_ packet: Inbound) -> Bool {
        let verdict: InboundVerdict = state.withLock { state in
            guard !state.isEnded else { return .ignore }
            guard state.inbound.count < Self.maxQueuedInbound else {
                return .close(.protocolError("more than \(Self.maxQueuedInbound) packets waiting"))
            }
            switch state.limiter.admit(at: clock.now) {
            case .accepted: break
            case .refusedWithWarning: return .warn
            case .refused: return .drop
            case .refusedTooOften: return .close(.rateLimited)
            }
            state.inbound.append(packet)
            if state.isHandlingInbound { return .accept }
            state.isHandlingInbound = true
            return .acceptAndStart
        }
        switch verdict {
        case .accept:
            return true
        case .acceptAndStart:
            Task { await self.handleInbound() }
            return true
        case .warn:
            GatewayMetrics.add(hub.metrics.rateLimited)
            var frames = SocketIOSessionFrames(now: now())
            frames.refuse(.rateLimited, on: connection, metrics: hub.metrics)
            return true
        case .drop:
            GatewayMetrics.add(hub.metrics.rateLimited)
            return true
        case .ignore:
            return true
        case .close(let reason):
            if reason == .rateLimited { GatewayMetrics.add(hub.metrics.rateLimited) }
            close(reason)
            return false
        }
    }

    /// Counts, logs and closes the session for a packet the protocol does not allow; false, for
    /// `receive`'s callers.
    private func protocolError(_ text: String) -> Bool {
        GatewayMetrics.add(hub.metrics.clientErrors)
        logger.info("Closing Socket.IO session on a protocol error", metadata: ["socketio.error": "\(text)"])
        close(.protocolError(text))
        return false
    }

    // MARK: Long-polling

    /// A long-polling GET: the queued packets (at most `maxPayload` bytes), waiting for some.
    func poll() async -> PollingReply {
        let admission: RequestAdmission = state.withLock { state in
            switch state.transport {
            case .webSocket: return .refuse(.badRequest)
            case .upgrading: return .noop
            case .polling:
                if state.isPollPending { return .overlap }
                state.isPollPending = true
                return .proceed
            }
        }
        switch admission {
        case .refuse(let error):
            return .error(error)
        case .noop:
            return PollingReply(status: 200, body: SocketIOFrames.noop, isError: false)
        case .overlap:
            _ = protocolError("overlapping long-polling GET requests")
            return .error(.badRequest)
        case .proceed:
            break
        }
        defer { state.withLock { $0.isPollPending = false } }
        let pulled = await connection.pull(maxBytes: settings.maxPayload)
        // The client sent a close packet: its pending GET gets a noop, as the reference server's
        // polling transport answers it (socketio/socket.io, packages/engine.io/lib/transports/
        // polling.ts, `onClose`: "close pending poll request"), not a close packet.
        if connection.closeReason == .clientClosed {
            return PollingReply(status: 200, body: SocketIOFrames.noop, isError: false)
        }
        switch pulled {
        case .buffers(var buffers):
            // A closed session's last answer ends with the close packet.
            if !connection.isOpen, !connection.hasPending { buffers.append(SocketIOFrames.close) }
            return PollingReply(status: 200, body: EngineIOPayload.join(buffers), isError: false)
        case .closed:
            return PollingReply(status: 200, body: SocketIOFrames.close, isError: false)
        case .interrupted:
            return PollingReply(status: 200, body: SocketIOFrames.noop, isError: false)
        }
    }

    /// A long-polling POST: the packets of `body`, separated by the record separator.
    func post(_ body: ByteBuffer) -> PollingReply {
        let admission: RequestAdmission = state.withLock { state in
            guard state.transport != .webSocket else { return .refuse(.badRequest) }
            if state.isPostPending { return .overlap }
            state.isPostPending = true
            return .proceed
        }
        switch admission {
        case .refuse(let error):
            return .error(error)
        case .overlap:
            _ = protocolError("overlapping long-polling POST requests")
            return .error(.badRequest)
        case .proceed:
            break
        case .noop:
            return .ok
        }
        defer { state.withLock { $0.isPostPending = false } }
        guard let packets = EngineIOPayload.split(body) else {
            _ = protocolError("long-polling body is not UTF-8")
            return .error(.badRequest)
        }
        for packet in packets {
            let accepted: Bool
            if packet.first == "b" {
                accepted = receiveBinary()
            } else {
                accepted = receive(text: packet)
            }
            // The client asked to close ("1"): that is an ordinary end, answered "ok".
            if !accepted { return connection.closeReason == .clientClosed ? .ok : .error(.badRequest) }
        }
        return .ok
    }

    // MARK: Upgrade

    /// A WebSocket probed this session (`2probe`, answered `3probe` by the caller): the pending
    /// GET is answered with a noop so the client can pause polling. False when the session is not
    /// on long-polling.
    func beginUpgrade() -> Bool {
        let started = state.withLock { state -> Bool in
            guard state.transport == .polling else { return false }
            state.transport = .upgrading
            return true
        }
        if started { connection.interruptPull() }
        return started
    }

    /// The client sent `5`: from now on everything goes to `channel`.
    func completeUpgrade(to channel: any Channel) {
        state.withLock { $0.transport = .webSocket }
        connection.moveToChannel(channel)
        GatewayMetrics.add(hub.metrics.socketIOUpgrades)
        logger.debug("Engine.IO session upgraded to WebSocket")
    }

    /// The probing WebSocket went away before `5`: the session stays on long-polling.
    func abandonUpgrade() {
        let wasUpgrading = state.withLock { state -> Bool in
            guard state.transport == .upgrading else { return false }
            state.transport = .polling
            return true
        }
        // The noop meant for a GET pending at the probe is not owed to the next one.
        if wasUpgrading { connection.withdrawPullInterrupt() }
    }
}

extension EngineIOSession.PollingReply {
    static var ok: Self { Self(status: 200, body: ByteBuffer(string: "ok"), isError: false) }
}

/// What `receive` decided for one inbound packet.
private enum InboundVerdict {
    case accept
    /// Queued, and no inbound task runs: start one.
    case acceptAndStart
    /// Over the rate: refused, and the client told once.
    case warn
    /// Over the rate again: refused silently.
    case drop
    /// The session has ended: nothing to do.
    case ignore
    case close(CloseReason)
}

/// Whether a long-polling request may proceed on its session.
private enum RequestAdmission {
    case proceed
    /// Answer with a noop at once (a GET while the session upgrades).
    case noop
    case refuse(EngineIOError)
    /// A second request of the same kind while one is pending: the reference server closes the session.
    case overlap
}

/// Arms a session's token expiry from its Socket.IO client (which holds it as a closure).
private struct ExpiryArming<Source: SubscriberBus>: Sendable {
    let session: EngineIOSession<Source>

    func arm(_ lifetime: Duration) { session.armExpiry(in: lifetime) }
}
