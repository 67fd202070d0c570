import NIOCore
import NIOWebSocket
import Synchronization

/// One client socket's bounded outbound queue.
///
/// The hub appends shared, prepared buffers; nothing is copied per client. A connection on a
/// WebSocket channel queues whole frames (the hub's are built once per message and shared; a
/// control message is framed when queued) and is drained on the channel's event loop: every
/// frame written as raw bytes below the frame encoder and flushed once per burst
/// (`flushOnEventLoop`). An SSE stream or a Socket.IO long-polling session queues payloads and is
/// drained by the request that pulls (`pull`). A Socket.IO session moves from pulling to a channel
/// when it upgrades (its queued payloads are framed then). Messages queued plus messages written
/// but not yet taken by the kernel count against the limits: a client that exceeds them is cut
/// (1013) and its queue freed, so memory stays bounded whatever a client does.
final class ClientOutbox: Sendable {
    /// Which prepared buffer of a message the client gets.
    enum Format: Sendable, Equatable {
        /// The envelope as published, one text frame each (`/ws`).
        case webSocket
        /// `id:`/`event:`/`data:` events (`/events`).
        case serverSentEvents
        /// Engine.IO message packets carrying Socket.IO events (`/socket.io/`).
        case socketIO
    }

    /// How queued buffers leave the process.
    enum Delivery: Sendable {
        /// Written as WebSocket text frames to the channel, on its event loop.
        case channel(any Channel)
        /// Taken by whoever calls `pull()`: an SSE body writer, a long-polling GET.
        case pull
    }

    /// What `pull()` found.
    enum PullResult: Sendable {
        case buffers([ByteBuffer])
        /// The connection was closed; nothing more will come.
        case closed
        /// The connection moved to a channel (a Socket.IO upgrade), or the puller was asked to
        /// step aside (`interruptPull`): answer without data.
        case interrupted
    }

    struct Limits: Sendable {
        var maxMessages: Int
        var maxBytes: Int
    }

    private struct State {
        /// Frames (on a channel) or payloads (pulled), oldest first.
        var pending: [ByteBuffer] = []
        /// An empty array with capacity, swapped with `pending` by each flush so that queueing
        /// does not allocate per message.
        var spare: [ByteBuffer] = []
        var pendingBytes = 0
        var inFlightMessages = 0
        var inFlightBytes = 0
        var isFlushScheduled = false
        var isOpen = true
        var closeReason: CloseReason?
        /// Called once with the reason when the gateway asks to close (a socket's channel
        /// handler, a Socket.IO session).
        var closeHandlers: [@Sendable (CloseReason) -> Void] = []
        var dataWaiter: CheckedContinuation<Void, Never>?
        /// A history feed waiting for the queue to drain below the low watermarks (`waitForRoom`).
        var roomWaiter: CheckedContinuation<Void, Never>?
        /// SSE: the streams whose positions its event ids carry (set when they go live).
        var eventIDStreams: StreamSet = []
        var delivery: Delivery
        /// The channel's `WebSocketFrameEncoder` context, found by the first flush. A context
        /// whose handler was removed (the channel closed) fails writes: nothing is written.
        var encoder: NIOLoopBound<ChannelHandlerContext>?
        var isPullInterrupted = false

        var queuedMessages: Int { pending.count + inFlightMessages }
        var queuedBytes: Int { pendingBytes + inFlightBytes }

        /// The room waiter to resume now: the queue has drained to the low watermarks, or the
        /// connection is closed.
        mutating func takeRoomWaiter(_ watermarks: Watermarks) -> CheckedContinuation<Void, Never>? {
            guard roomWaiter != nil, !isOpen || watermarks.isLow(messages: queuedMessages, bytes: queuedBytes) else {
                return nil
            }
            defer { roomWaiter = nil }
            return roomWaiter
        }
    }

    /// How full the queue may get with history a starting subscriber is sent (`enqueueWhenRoom`),
    /// and how far it must drain before more is read: half the limits, then a quarter. The other
    /// half is left to live messages of the connection's other streams and to control messages.
    struct Watermarks: Sendable {
        let highMessages: Int
        let highBytes: Int

        init(_ limits: Limits) {
            highMessages = max(1, limits.maxMessages / 2)
            highBytes = max(1, limits.maxBytes / 2)
        }

        /// Below the high watermarks with `size` more bytes; a queue drained to the low ones takes
        /// a message of any size (the limits still apply).
        func hasRoom(messages: Int, bytes: Int, adding size: Int) -> Bool {
            messages + 1 <= highMessages && (bytes + size <= highBytes || isLow(messages: messages, bytes: bytes))
        }

        func isLow(messages: Int, bytes: Int) -> Bool {
            messages <= highMessages / 2 && bytes <= highBytes / 2
        }
    }

    let id: ConnectionID
    let format: Format
    private let limits: Limits
    private let watermarks: Watermarks
    private let metrics: GatewayMetrics
    private let state: Mutex<State>

    init(id: ConnectionID = .make(), format: Format, delivery: Delivery, limits: Limits, metrics: GatewayMetrics) {
        self.id = id
        self.format = format
        self.limits = limits
        self.watermarks = Watermarks(limits)
        self.metrics = metrics
        self.state = Mutex(State(delivery: delivery))
        GatewayMetrics.add(metrics.connectionObjects)
    }

    deinit {
        GatewayMetrics.add(metrics.connectionObjects, -1)
    }

    /// Makes the waiting (or the next) `pull()` return `.interrupted`: a long-polling GET answered
    /// with a noop while the session upgrades.
    func interruptPull() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isPullInterrupted = true
            defer { state.dataWaiter = nil }
            return state.dataWaiter
        }
        waiter?.resume()
    }

    /// Withdraws an `interruptPull` no puller took yet (an upgrade abandoned before the next GET).
    func withdrawPullInterrupt() {
        state.withLock { $0.isPullInterrupted = false }
    }

    /// Whether buffers wait to be pulled or flushed.
    var hasPending: Bool { state.withLock { !$0.pending.isEmpty } }

    /// Moves a pulled connection to `channel` (a Socket.IO upgrade): a waiting puller is told to
    /// step aside, and what is queued is framed and flushed to the channel.
    func moveToChannel(_ channel: any Channel) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.delivery = .channel(channel)
            state.encoder = nil
            state.pending = state.pending.map(WebSocketTextFrame.encode)
            state.pendingBytes = state.pending.reduce(0) { $0 + $1.readableBytes }
            state.isFlushScheduled = true
            defer { state.dataWaiter = nil }
            return state.dataWaiter
        }
        waiter?.resume()
        channel.eventLoop.execute { self.flushOnEventLoop() }
    }

    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// What `enqueue(_: PreparedMessage)` did: the event loop to flush on when the caller must
    /// arrange a flush (nil: one is scheduled already, or the buffer is pulled), and the bytes
    /// queued.
    struct Queued {
        var flushOn: (any EventLoop)?
        var bytes: Int
    }

    /// Queues a message the hub prepared: its whole WebSocket frame for a connection on a channel,
    /// its payload for a puller. Only under the hub's lock, which guards `PreparedMessage`; the
    /// hub batches the flushes per loop and counts the deliveries. Nil when nothing was queued (a
    /// full queue closes the connection instead).
    func enqueue(_ message: PreparedMessage) -> Queued? {
        let format = self.format
        return enqueue(countingDelivery: false) { channel, streams in
            if let channel {
                message.webSocketFrame(for: format, on: channel.eventLoop)
            } else {
                message.payload(for: format, streams: streams)
            }
        }
    }

    /// Queues one payload (a control message), framed here when the connection writes to a
    /// channel. Returns the event loop to flush on, as `enqueue(_: PreparedMessage)` does.
    @discardableResult
    func enqueue(_ payload: ByteBuffer) -> (any EventLoop)? {
        enqueue(countingDelivery: true) { channel, _ in channel == nil ? payload : WebSocketTextFrame.encode(payload) }?.flushOn
    }

    /// - Parameters:
    ///   - countingDelivery: whether to count the delivery in the metrics here (the hub counts
    ///     its relays once per message, not once per socket).
    ///   - resolve: the buffer to queue, given the channel the connection writes to (nil: pulled)
    ///     and the streams an SSE event id carries.
    ///   - onlyIfRoom: queue only below the watermarks (`enqueueWhenRoom`); nil when there is no room.
    private func enqueue(
        countingDelivery: Bool, onlyIfRoom: Bool = false,
        resolving resolve: (_ channel: (any Channel)?, _ streams: StreamSet) -> ByteBuffer
    ) -> Queued? {
        enum Outcome {
            case queued(size: Int, flushOn: (any EventLoop)?, wake: CheckedContinuation<Void, Never>?)
            case overflow(CheckedContinuation<Void, Never>?, CheckedContinuation<Void, Never>?, [@Sendable (CloseReason) -> Void])
            case dropped
        }
        let outcome: Outcome = state.withLock { state in
            guard state.isOpen else { return .dropped }
            let channel: (any Channel)?
            if case .channel(let value) = state.delivery { channel = value } else { channel = nil }
            let buffer = resolve(channel, state.eventIDStreams)
            let size = buffer.readableBytes
            if onlyIfRoom, !watermarks.hasRoom(messages: state.queuedMessages, bytes: state.queuedBytes, adding: size) {
                return .dropped
            }
            if state.queuedMessages + 1 > limits.maxMessages || state.queuedBytes + size > limits.maxBytes {
                state.isOpen = false
                state.closeReason = .slowConsumer
                state.pending = []
                state.pendingBytes = 0
                defer {
                    state.dataWaiter = nil
                    state.roomWaiter = nil
                    state.closeHandlers = []
                }
                return .overflow(state.dataWaiter, state.roomWaiter, state.closeHandlers)
            }
            state.pending.append(buffer)
            state.pendingBytes += size
            if let channel {
                if state.isFlushScheduled { return .queued(size: size, flushOn: nil, wake: nil) }
                state.isFlushScheduled = true
                return .queued(size: size, flushOn: channel.eventLoop, wake: nil)
            }
            defer { state.dataWaiter = nil }
            return .queued(size: size, flushOn: nil, wake: state.dataWaiter)
        }
        switch outcome {
        case .queued(let size, let flushOn, let wake):
            if countingDelivery {
                GatewayMetrics.add(metrics.deliveries)
                GatewayMetrics.add(metrics.bytesQueued, size)
            }
            wake?.resume()
            return Queued(flushOn: flushOn, bytes: size)
        case .overflow(let dataWaiter, let roomWaiter, let closeHandlers):
            GatewayMetrics.add(metrics.slowClientDisconnects)
            dataWaiter?.resume()
            roomWaiter?.resume()
            for handler in closeHandlers { handler(.slowConsumer) }
            return nil
        case .dropped:
            return nil
        }
    }

    /// Queues `payload` and flushes it now: for control messages outside the hub's batches.
    func send(_ payload: ByteBuffer) {
        send(contentsOf: [payload])
    }

    /// Queues `payloads` in order and flushes them once: an answer and its ack, a confirmation
    /// and its snapshot.
    func send(contentsOf payloads: [ByteBuffer]) {
        var flushOn: (any EventLoop)?
        for payload in payloads {
            if let loop = enqueue(payload) { flushOn = loop }
        }
        flushOn?.execute { self.flushOnEventLoop() }
    }

    // MARK: History, fed as the socket drains

    /// Queues `payload` (history a starting subscriber is sent) and flushes it, once the queue is
    /// below the high watermarks: waits meanwhile for the socket to drain the queue to the low
    /// ones. So a client can be sent any length of history without its queue ever filling with
    /// it. False once the connection is closed (or the task cancelled): nothing more can be sent.
    func enqueueWhenRoom(_ payload: ByteBuffer) async -> Bool {
        while true {
            if let queued = enqueue(
                countingDelivery: true, onlyIfRoom: true,
                resolving: { channel, _ in channel == nil ? payload : WebSocketTextFrame.encode(payload) })
            {
                if let loop = queued.flushOn { loop.execute { self.flushOnEventLoop() } }
                return true
            }
            guard await waitForRoom() else { return false }
        }
    }

    /// Waits until the queue has drained to the low watermarks; false when the connection is
    /// closed or the task cancelled.
    func waitForRoom() async -> Bool {
        await suspend(in: \.roomWaiter) { state in
            !state.isOpen || watermarks.isLow(messages: state.queuedMessages, bytes: state.queuedBytes)
        }
        return state.withLock { $0.isOpen } && !Task.isCancelled
    }

    /// SSE: makes the connection's event ids carry the positions of `streams` (its live streams).
    func setEventIDStreams(_ streams: StreamSet) {
        state.withLock { $0.eventIDStreams = streams }
    }

    /// Writes every pending frame and flushes once. Runs on the channel's event loop.
    ///
    /// The frames are complete (header and payload), so they enter the pipeline below
    /// `WebSocketFrameEncoder` (the same place the encoder's own output goes): one iovec per frame
    /// and no per-socket work but the write. When the socket takes everything at once (the usual
    /// case), the frames leave the in-flight count right away; otherwise an empty write after
    /// them completes when the kernel has taken them all.
    func flushOnEventLoop() {
        typealias Batch = (channel: any Channel, encoder: NIOLoopBound<ChannelHandlerContext>?, frames: [ByteBuffer], bytes: Int)
        let batch: Batch? = state.withLock { state in
            state.isFlushScheduled = false
            guard case .channel(let channel) = state.delivery, !state.pending.isEmpty else { return nil }
            guard state.isOpen || state.closeReason != .slowConsumer else { return nil }
            var frames = state.spare
            state.spare = []
            swap(&frames, &state.pending)
            let bytes = state.pendingBytes
            state.pendingBytes = 0
            state.inFlightMessages += frames.count
            state.inFlightBytes += bytes
            return (channel, state.encoder, frames, bytes)
        }
        guard let batch else { return }
        let channel = batch.channel
        var frames = batch.frames
        let count = frames.count
        let bytes = batch.bytes
        var isCompletionPending = false
        // No encoder: the channel is closing (its handlers are gone) and the frames go nowhere.
        let encoder =
            batch.encoder
            ?? (try? channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)).map {
                NIOLoopBound($0, eventLoop: channel.eventLoop)
            }
        if let context = encoder?.value {
            for frame in frames { context.write(NIOAny(frame), promise: nil) }
            context.flush()
            // Below the high watermark the socket is taking what it is given: what NIO still
            // holds is bounded by the watermark. Above it, the frames count as in flight until
            // written.
            if !channel.isWritable {
                isCompletionPending = true
                let promise = channel.eventLoop.makePromise(of: Void.self)
                context.write(NIOAny(ByteBuffer()), promise: promise)
                context.flush()
                promise.futureResult.whenComplete { _ in
                    let waiter = self.state.withLock { state in
                        state.inFlightMessages -= count
                        state.inFlightBytes -= bytes
                        return state.takeRoomWaiter(self.watermarks)
                    }
                    waiter?.resume()
                }
            }
        }
        frames.removeAll(keepingCapacity: frames.capacity <= Self.maxSpareCapacity)
        let roomWaiter = state.withLock { state in
            if !isCompletionPending {
                state.inFlightMessages -= count
                state.inFlightBytes -= bytes
            }
            if state.spare.capacity < frames.capacity { state.spare = frames }
            if state.encoder == nil, case .channel(let current) = state.delivery, current === channel {
                state.encoder = encoder
            }
            return state.takeRoomWaiter(watermarks)
        }
        roomWaiter?.resume()
    }

    /// The largest queue array kept for reuse between flushes (a burst bigger than this
    /// allocates, and its array is not kept).
    private static var maxSpareCapacity: Int { 16 }

    /// SSE: the buffers queued so far, waiting for some; nil once the connection is closed (or
    /// the task cancelled).
    func nextBatch() async -> [ByteBuffer]? {
        if case .buffers(let buffers) = await pull() { return buffers }
        return nil
    }

    /// A pulled connection's queued buffers, waiting for some: at most `maxBytes` of them (but
    /// at least one), the rest staying queued for the next pull. `.closed` once the connection is
    /// closed and emptied, or the task cancelled.
    func pull(maxBytes: Int = .max) async -> PullResult {
        while true {
            var roomWaiter: CheckedContinuation<Void, Never>?
            let result: PullResult? = state.withLock { state in
                guard case .pull = state.delivery else { return .interrupted }
                if state.isPullInterrupted {
                    state.isPullInterrupted = false
                    return .interrupted
                }
                if !state.pending.isEmpty {
                    var count = 0
                    var bytes = 0
                    for buffer in state.pending {
                        if count > 0, bytes + buffer.readableBytes > maxBytes { break }
                        count += 1
                        bytes += buffer.readableBytes
                    }
                    let batch = Array(state.pending.prefix(count))
                    state.pending.removeFirst(count)
                    state.pendingBytes -= bytes
                    roomWaiter = state.takeRoomWaiter(watermarks)
                    return .buffers(batch)
                }
                if !state.isOpen { return .closed }
                return nil
            }
            roomWaiter?.resume()
            if let result { return result }
            if Task.isCancelled { return .closed }
            await suspend(in: \.dataWaiter) { state in
                guard case .pull = state.delivery, !state.isPullInterrupted else { return true }
                return !state.pending.isEmpty || !state.isOpen
            }
        }
    }

    /// Parks the calling task in the continuation slot `slot` unless `isReady` holds now, and
    /// returns when resumed: by whoever changes what it waits for, or by cancellation (which takes
    /// the continuation back under the same lock, so a cancellation either shows here or finds it
    /// parked).
    private func suspend(
        in slot: WritableKeyPath<State, CheckedContinuation<Void, Never>?> & Sendable, unless isReady: (State) -> Bool
    ) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled || isReady(state) { return true }
                    state[keyPath: slot] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state[keyPath: slot] = nil }
                return state[keyPath: slot]
            }
            waiter?.resume()
        }
    }

    /// Asks the connection's close handlers to close with `reason` (the first reason wins); a
    /// waiting puller is woken to find the connection closed.
    func requestClose(_ reason: CloseReason) {
        let (dataWaiter, roomWaiter, handlers) = state.withLock {
            state -> (CheckedContinuation<Void, Never>?, CheckedContinuation<Void, Never>?, [@Sendable (CloseReason) -> Void]) in
            guard state.isOpen else { return (nil, nil, []) }
            state.isOpen = false
            state.closeReason = reason
            defer {
                state.dataWaiter = nil
                state.roomWaiter = nil
                state.closeHandlers = []
            }
            return (state.dataWaiter, state.roomWaiter, state.closeHandlers)
        }
        dataWaiter?.resume()
        roomWaiter?.resume()
        for handler in handlers { handler(reason) }
    }

    /// Closes the connection with "token expired" (counted in `gateway_token_expiries_total`)
    /// when the token it authenticated with runs out, `lifetime` from now, on `loop`; `notify`
    /// runs just before (Socket.IO's DISCONNECT). The same on `/ws`, SSE and Socket.IO. The timer
    /// is cancelled when the connection closes for another reason, so a closed connection is not
    /// held for the rest of its token's lifetime; the caller may cancel it too (a new token).
    @discardableResult
    func closeWhenTokenExpires(
        in lifetime: Duration, on loop: any EventLoop, metrics: GatewayMetrics, notify: (@Sendable () -> Void)? = nil
    ) -> Scheduled<Void> {
        let timer = loop.scheduleTask(in: TimeAmount(lifetime)) { [weak self] in
            guard let self, self.isOpen else { return }
            GatewayMetrics.add(metrics.tokenExpiries)
            notify?()
            self.requestClose(.tokenExpired)
        }
        onCloseRequested { _ in timer.cancel() }
        return timer
    }

    /// Calls `handler` once with the reason when the gateway asks to close: at once when it
    /// already has. Handlers are released after the call. It runs on the thread that asked,
    /// possibly under the hub's lock: a handler hops to an event loop before doing anything else.
    func onCloseRequested(_ handler: @escaping @Sendable (CloseReason) -> Void) {
        let reason = state.withLock { state -> CloseReason? in
            if let reason = state.closeReason { return reason }
            if state.isOpen { state.closeHandlers.append(handler) }
            return nil
        }
        if let reason { handler(reason) }
    }

    /// The reason the connection was closed by the gateway, if it was.
    var closeReason: CloseReason? { state.withLock { $0.closeReason } }
}
