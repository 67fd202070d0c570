import NIOCore
import NIOWebSocket
import Synchronization

/// Identifies one client connection within the process.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    var description: String { String(value) }

    private static let next = Atomic<UInt64>(1)
    static func make() -> ConnectionID { ConnectionID(value: next.wrappingAdd(1, ordering: .relaxed).oldValue) }
}

/// Why the gateway closes a connection, with the WebSocket close code and reason it sends.
struct CloseReason: Sendable, Equatable {
    let code: WebSocketErrorCode
    let text: String

    static let slowConsumer = CloseReason(code: .unknown(1013), text: "slow consumer: outbound queue full")
    static let tokenExpired = CloseReason(code: .policyViolation, text: "token expired")
    static let goingAway = CloseReason(code: .goingAway, text: "going away")
    static let rateLimited = CloseReason(code: .policyViolation, text: "inbound message rate exceeded")
}

/// One client socket's bounded outbound queue.
///
/// The hub appends shared, prepared buffers; nothing is copied per client. A WebSocket
/// connection is drained on its channel's event loop, all frames written and flushed once per
/// burst (`flushOnEventLoop`); an SSE connection is drained by its response-body task
/// (`nextBatch`). Messages queued plus messages written but not yet taken by the kernel count
/// against the limits: a client that exceeds them is cut (1013) and its queue freed, so memory
/// stays bounded whatever a client does.
final class GatewayConnection: Sendable {
    enum Sink: Sendable {
        /// Frames are written straight to the upgraded channel on its event loop.
        case webSocket(any Channel)
        /// Buffers are taken by the SSE response-body writer.
        case serverSentEvents
    }

    struct Limits: Sendable {
        var maxMessages: Int
        var maxBytes: Int
    }

    private struct State {
        var pending: [ByteBuffer] = []
        var pendingBytes = 0
        var inFlightMessages = 0
        var inFlightBytes = 0
        var isFlushScheduled = false
        var isOpen = true
        var closeReason: CloseReason?
        var closeWaiter: CheckedContinuation<CloseReason?, Never>?
        var dataWaiter: CheckedContinuation<Void, Never>?

        var queuedMessages: Int { pending.count + inFlightMessages }
        var queuedBytes: Int { pendingBytes + inFlightBytes }
    }

    let id: ConnectionID
    let sink: Sink
    private let limits: Limits
    private let metrics: GatewayMetrics
    private let state = Mutex(State())

    init(id: ConnectionID = .make(), sink: Sink, limits: Limits, metrics: GatewayMetrics) {
        self.id = id
        self.sink = sink
        self.limits = limits
        self.metrics = metrics
    }

    var eventLoop: (any EventLoop)? {
        if case .webSocket(let channel) = sink { return channel.eventLoop }
        return nil
    }

    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Queues `buffer`. True when the caller must arrange a flush on the event loop (WebSocket
    /// only; the hub batches those per loop). A full queue closes the connection instead.
    @discardableResult
    func enqueue(_ buffer: ByteBuffer) -> Bool {
        enum Outcome {
            case queued(needsFlush: Bool, wake: CheckedContinuation<Void, Never>?)
            case overflow(CheckedContinuation<CloseReason?, Never>?, CheckedContinuation<Void, Never>?)
            case dropped
        }
        let size = buffer.readableBytes
        let outcome: Outcome = state.withLock { state in
            guard state.isOpen else { return .dropped }
            if state.queuedMessages + 1 > limits.maxMessages || state.queuedBytes + size > limits.maxBytes {
                state.isOpen = false
                state.closeReason = .slowConsumer
                state.pending = []
                state.pendingBytes = 0
                defer {
                    state.closeWaiter = nil
                    state.dataWaiter = nil
                }
                return .overflow(state.closeWaiter, state.dataWaiter)
            }
            state.pending.append(buffer)
            state.pendingBytes += size
            switch sink {
            case .webSocket:
                if state.isFlushScheduled { return .queued(needsFlush: false, wake: nil) }
                state.isFlushScheduled = true
                return .queued(needsFlush: true, wake: nil)
            case .serverSentEvents:
                defer { state.dataWaiter = nil }
                return .queued(needsFlush: false, wake: state.dataWaiter)
            }
        }
        switch outcome {
        case .queued(let needsFlush, let wake):
            GatewayMetrics.add(metrics.deliveries)
            GatewayMetrics.add(metrics.bytesQueued, size)
            wake?.resume()
            return needsFlush
        case .overflow(let closeWaiter, let dataWaiter):
            GatewayMetrics.add(metrics.slowClientDisconnects)
            closeWaiter?.resume(returning: .slowConsumer)
            dataWaiter?.resume()
            return false
        case .dropped:
            return false
        }
    }

    /// Queues `buffer` and flushes it now: for control messages outside the hub's batches.
    func send(_ buffer: ByteBuffer) {
        if enqueue(buffer), let loop = eventLoop {
            loop.execute { self.flushOnEventLoop() }
        }
    }

    /// Writes every pending frame and flushes once. Runs on the channel's event loop.
    func flushOnEventLoop() {
        guard case .webSocket(let channel) = sink else { return }
        let batch: (frames: [ByteBuffer], bytes: Int) = state.withLock { state in
            state.isFlushScheduled = false
            guard state.isOpen || state.closeReason != .slowConsumer else { return ([], 0) }
            let frames = state.pending
            let bytes = state.pendingBytes
            state.pending = []
            state.pendingBytes = 0
            state.inFlightMessages += frames.count
            state.inFlightBytes += bytes
            return (frames, bytes)
        }
        guard !batch.frames.isEmpty else { return }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let last = batch.frames.count - 1
        let pipeline = channel.pipeline.syncOperations
        for (index, payload) in batch.frames.enumerated() {
            let frame = WebSocketFrame(fin: true, opcode: .text, data: payload)
            pipeline.write(NIOAny(frame), promise: index == last ? promise : nil)
        }
        pipeline.flush()
        let count = batch.frames.count
        let bytes = batch.bytes
        promise.futureResult.whenComplete { _ in
            self.state.withLock { state in
                state.inFlightMessages -= count
                state.inFlightBytes -= bytes
            }
        }
    }

    /// SSE: the buffers queued so far, waiting for some; nil once the connection is closed (or
    /// the task cancelled).
    func nextBatch() async -> [ByteBuffer]? {
        while true {
            let batch: [ByteBuffer]?? = state.withLock { state in
                if !state.pending.isEmpty {
                    let batch = state.pending
                    state.pending = []
                    state.pendingBytes = 0
                    return .some(batch)
                }
                if !state.isOpen { return .some(nil) }
                return .none
            }
            if let batch { return batch }
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.pending.isEmpty || !state.isOpen || Task.isCancelled { return true }
                        state.dataWaiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.dataWaiter = nil }
                    return state.dataWaiter
                }
                waiter?.resume()
            }
        }
    }

    /// Whether the gateway asked this connection to close.
    var isCloseRequested: Bool { state.withLock { $0.closeReason != nil } }

    /// Asks the connection's task to close with `reason` (the first reason wins).
    func requestClose(_ reason: CloseReason) {
        let waiters = state.withLock { state -> (CheckedContinuation<CloseReason?, Never>?, CheckedContinuation<Void, Never>?) in
            guard state.isOpen else { return (nil, nil) }
            state.isOpen = false
            state.closeReason = reason
            defer {
                state.closeWaiter = nil
                state.dataWaiter = nil
            }
            return (state.closeWaiter, state.dataWaiter)
        }
        waiters.0?.resume(returning: reason)
        waiters.1?.resume()
    }

    /// Waits until the gateway asks to close this connection; nil when the task is cancelled.
    func closeRequested() async -> CloseReason? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CloseReason?, Never>) in
                let immediate: CloseReason?? = state.withLock { state in
                    if let reason = state.closeReason { return .some(reason) }
                    if Task.isCancelled { return .some(nil) }
                    state.closeWaiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<CloseReason?, Never>? in
                defer { state.closeWaiter = nil }
                return state.closeWaiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The reason the connection was closed by the gateway, if it was.
    var closeReason: CloseReason? { state.withLock { $0.closeReason } }
}
