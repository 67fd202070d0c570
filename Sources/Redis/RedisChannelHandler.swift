import Logging
import NIOCore

/// Matches replies to requests in order (a queue of promises), routes pub/sub pushes to a sink,
/// times commands out, and fails everything in flight with a typed error when the connection
/// ends. Lives on the channel's event loop; all state is touched only there.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        /// `nil` once the request timed out: its replies are still read and dropped.
        var responder: RedisRequest.Responder?
        var remainingReplies: Int
        var remainingConfirmations: ArraySlice<RedisSubscriptionConfirmation>
        let deadline: NIODeadline

        var isSubscription: Bool { self.remainingReplies == 0 }
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 64)
    /// Decodes replies straight into the promise queue: no pipeline hop per reply.
    private var decoder: RESPValueDecoder
    /// The unread end of the last read: the start of a scalar whose end has not arrived yet (the
    /// decoder keeps the aggregates around it); `nil` when every byte read was used.
    private var partial: ByteBuffer?
    /// Replies collected so far for the batch at the head of `pending`. Kept out of the queue so
    /// appending never copies the array.
    private var collected: [RESPValue] = []
    private let maxPendingCommands: Int
    private let commandTimeout: TimeAmount
    private let endpoint: String
    private let isSubscriber: Bool
    private let pushSink: (@Sendable (RedisPushMessage) -> Void)?
    private let logger: Logger
    private var closeError: RedisClientError?
    private var timer: Scheduled<Void>?
    private var isFlushScheduled = false
    /// A pipelined batch was written since the last flush: flush at once, nothing to coalesce.
    private var hasBatchToFlush = false

    init(
        decoderLimits: RESPDecoderLimits = RESPDecoderLimits(),
        maxPendingCommands: Int,
        commandTimeout: Duration,
        endpoint: String,
        isSubscriber: Bool,
        pushSink: (@Sendable (RedisPushMessage) -> Void)?,
        logger: Logger
    ) {
        self.decoder = RESPValueDecoder(limits: decoderLimits)
        self.maxPendingCommands = max(1, maxPendingCommands)
        self.commandTimeout = TimeAmount(commandTimeout)
        self.endpoint = endpoint
        self.isSubscriber = isSubscriber
        self.pushSink = pushSink
        self.logger = logger
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let closeError = self.closeError {
            Self.fail(request.responder, with: closeError)
            promise?.fail(closeError)
            return
        }
        guard self.pending.count < self.maxPendingCommands else {
            let error = RedisClientError(
                code: .tooManyPendingCommands,
                message:
                    "\(self.maxPendingCommands) commands already in flight to \(self.endpoint); slow down or raise limits.maxPendingCommands"
            )
            Self.fail(request.responder, with: error)
            promise?.fail(error)
            return
        }
        var entry = Pending(
            responder: request.responder,
            remainingReplies: 1,
            remainingConfirmations: [],
            deadline: context.eventLoop.now + self.commandTimeout
        )
        switch request.responder {
        case .single:
            break
        case .batch(_, let count):
            entry.remainingReplies = count
            self.hasBatchToFlush = true
        case .subscription(_, let expected):
            entry.remainingReplies = 0
            entry.remainingConfirmations = expected[...]
        }
        self.pending.append(entry)
        context.write(self.wrapOutboundOut(request.bytes), promise: promise)
        self.scheduleTimerIfNeeded(context: context)
    }

    /// Flushes once per event loop turn: writes queued by many concurrent callers leave in one
    /// system call. A pipelined batch is flushed at once: it is its own coalesced write, and
    /// waiting a turn would only add a loop iteration to every window's round trip.
    func flush(context: ChannelHandlerContext) {
        if self.hasBatchToFlush {
            self.hasBatchToFlush = false
            context.flush()
            return
        }
        guard !self.isFlushScheduled else { return }
        self.isFlushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.isFlushScheduled = false
            context.flush()
        }
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard self.closeError == nil else { return }
        var input = self.unwrapInboundIn(data)
        if var partial = self.partial {
            self.partial = nil
            partial.writeBuffer(&input)
            input = partial
        }
        do {
            // A completed promise's callback may close the channel: then stop reading.
            reading: while input.readableBytes > 0 && self.closeError == nil {
                switch try self.collectBatchReplies(from: &input) {
                case .completed:
                    continue
                case .needsMoreBytes:
                    break reading
                case .notABatch:
                    guard let value = try self.decoder.next(from: &input) else { break reading }
                    try self.route(value)
                }
            }
        } catch {
            self.closeWithError(error, context: context)
            return
        }
        if input.readableBytes > 0 && self.closeError == nil {
            // Keep only the unfinished reply; drop the consumed prefix once it outweighs it.
            if input.readerIndex > input.readableBytes {
                input.discardReadBytes()
            }
            self.partial = input
        }
    }

    private enum BatchProgress {
        /// The head of the queue is not a pipelined batch waiting for replies; nothing was read.
        case notABatch
        /// The batch at the head got all its replies and was completed.
        case completed
        /// The batch took every complete reply there was and waits for more bytes.
        case needsMoreBytes
    }

    /// The pipelined batch at the head of the queue takes its replies in one loop, without a
    /// lookup of the head per reply.
    private func collectBatchReplies(from input: inout ByteBuffer) throws -> BatchProgress {
        guard !self.isSubscriber, let head = self.pending.first, head.remainingReplies > 1,
            case .batch(let promise, _) = head.responder
        else {
            return .notABatch
        }
        var collected: [RESPValue] = []
        swap(&collected, &self.collected)
        if collected.isEmpty {
            collected.reserveCapacity(head.remainingReplies)
        }
        var remaining = head.remainingReplies
        while remaining > 0 {
            remaining -= self.decoder.nextSmallIntegers(from: &input, limit: remaining, into: &collected)
            if remaining == 0 { break }
            guard let value = try self.decoder.next(from: &input) else { break }
            if case .push(let items) = value {
                try self.handlePubSub(items)
                continue
            }
            collected.append(value)
            remaining -= 1
        }
        guard remaining == 0 else {
            self.pending[self.pending.startIndex].remainingReplies = remaining
            self.collected = collected
            return .needsMoreBytes
        }
        self.pending.removeFirst()
        promise.succeed(collected)
        return .completed
    }

    private func route(_ value: RESPValue) throws {
        switch value {
        case .push(let items):
            try self.handlePubSub(items)
        case .array(let items)
        where self.isSubscriber && Self.pubSubKind(items) != nil && (self.pending.first?.isSubscription ?? true):
            try self.handlePubSub(items)
        default:
            try self.handleReply(value)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.closeWithError(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        let error =
            self.closeError
            ?? RedisClientError(
                code: .connectionClosed,
                message: "the connection to \(self.endpoint) closed; a command in flight may or may not have run"
            )
        self.closeError = error
        self.failAll(with: error)
        context.fireChannelInactive()
    }

    private func closeWithError(_ error: any Error, context: ChannelHandlerContext) {
        if self.closeError == nil {
            if let error = error as? RedisClientError, error.code == .protocolError {
                self.closeError = RedisClientError(
                    code: .protocolError,
                    message: "\(error.message) (from \(self.endpoint)); the connection was closed",
                    underlying: error
                )
            } else {
                self.closeError = RedisClientError(
                    code: .connectionClosed,
                    message: "the connection to \(self.endpoint) failed; a command in flight may or may not have run",
                    underlying: error
                )
            }
            self.logger.debug("redis connection error", metadata: ["redis.error": "\(error)"])
        }
        if let closeError = self.closeError {
            self.failAll(with: closeError)
        }
        context.close(promise: nil)
    }

    private func handleReply(_ value: RESPValue) throws {
        guard let head = self.pending.first else {
            throw RESPValueDecoder.malformed("a reply arrived with no command in flight: \(value)")
        }
        if head.isSubscription {
            guard case .error(let message) = value else {
                throw RESPValueDecoder.malformed("a reply arrived where a subscription confirmation was expected: \(value)")
            }
            let entry = self.pending.removeFirst()
            if case .subscription(let promise, _) = entry.responder {
                promise.fail(RedisClientError.server(String(buffer: message), command: "SUBSCRIBE"))
            }
            return
        }
        if head.remainingReplies == 1 && self.collected.isEmpty {
            let entry = self.pending.removeFirst()
            switch entry.responder {
            case .single(let promise):
                promise.succeed(value)
            case .batch(let promise, _):
                promise.succeed([value])
            case .subscription, .none:
                break
            }
            return
        }
        let index = self.pending.startIndex
        if head.responder != nil {
            if self.collected.isEmpty {
                self.collected.reserveCapacity(head.remainingReplies)
            }
            self.collected.append(value)
        }
        self.pending[index].remainingReplies -= 1
        if self.pending[index].remainingReplies == 0 {
            let entry = self.pending.removeFirst()
            let values = self.collected
            self.collected = []
            if case .batch(let promise, _) = entry.responder {
                promise.succeed(values)
            }
        }
    }

    private static func pubSubKind(_ items: [RESPValue]) -> String? {
        guard let first = items.first?.bytes, first.readableBytes <= 12 else { return nil }
        let kind = String(buffer: first)
        switch kind {
        case "message", "pmessage", "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "smessage", "ssubscribe",
            "sunsubscribe":
            return kind
        default:
            return nil
        }
    }

    private func handlePubSub(_ items: [RESPValue]) throws {
        guard let kind = Self.pubSubKind(items) else {
            // Other RESP3 pushes (client tracking invalidations, ...) are not ours.
            return
        }
        switch kind {
        case "message", "smessage":
            guard items.count == 3, let channel = items[1].bytes, let payload = items[2].bytes else {
                throw RESPValueDecoder.malformed("pub/sub message with \(items.count) elements")
            }
            self.pushSink?(.message(channel: channel, payload: payload))
        case "pmessage":
            guard items.count == 4, let pattern = items[1].bytes, let channel = items[2].bytes, let payload = items[3].bytes
            else {
                throw RESPValueDecoder.malformed("pub/sub pattern message with \(items.count) elements")
            }
            self.pushSink?(.patternMessage(pattern: pattern, channel: channel, payload: payload))
        default:
            guard items.count == 3, let confirmationKind = RedisSubscriptionConfirmation.Kind(rawValue: kind) else {
                throw RESPValueDecoder.malformed("subscription confirmation with \(items.count) elements")
            }
            let confirmation = RedisSubscriptionConfirmation(kind: confirmationKind, name: items[1].string ?? "")
            if confirmationKind == .sunsubscribe, !self.isExpected(confirmation), let channel = items[1].bytes {
                // The node gave up the channel's slot (resharding, demotion): not an answer to us.
                self.pushSink?(.shardChannelUnsubscribed(channel: channel))
                return
            }
            try self.confirm(confirmation)
        }
    }

    private func isExpected(_ confirmation: RedisSubscriptionConfirmation) -> Bool {
        guard let head = self.pending.first, head.isSubscription else { return false }
        return head.remainingConfirmations.first == confirmation
    }

    private func confirm(_ confirmation: RedisSubscriptionConfirmation) throws {
        guard let head = self.pending.first, head.isSubscription, head.remainingConfirmations.first == confirmation else {
            throw RESPValueDecoder.malformed(
                "unexpected \(confirmation.kind.rawValue) confirmation for \(confirmation.name)"
            )
        }
        let index = self.pending.startIndex
        self.pending[index].remainingConfirmations.removeFirst()
        if self.pending[index].remainingConfirmations.isEmpty {
            let entry = self.pending.removeFirst()
            if case .subscription(let promise, _) = entry.responder {
                promise.succeed(())
            }
        }
    }

    // MARK: Failing and timing out

    private static func fail(_ responder: RedisRequest.Responder?, with error: RedisClientError) {
        responder?.fail(error)
    }

    private func failAll(with error: RedisClientError) {
        self.collected = []
        self.partial = nil
        while let entry = self.pending.popFirst() {
            Self.fail(entry.responder, with: error)
        }
    }

    private func scheduleTimerIfNeeded(context: ChannelHandlerContext) {
        guard self.timer == nil else { return }
        guard let next = self.pending.first(where: { $0.responder != nil }) else { return }
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: next.deadline) {
            self.timer = nil
            self.expireCommands(context: context)
        }
    }

    /// Fails every command past its deadline with `.commandTimeout`. Its place in the queue stays,
    /// so its late reply is matched and dropped rather than given to the next command.
    private func expireCommands(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        var index = self.pending.startIndex
        while index != self.pending.endIndex {
            if self.pending[index].responder != nil {
                guard self.pending[index].deadline <= now else { break }
                let error = RedisClientError(
                    code: .commandTimeout,
                    message: "no reply from \(self.endpoint) within \(self.commandTimeout.nanoseconds / 1_000_000) ms"
                )
                Self.fail(self.pending[index].responder, with: error)
                self.pending[index].responder = nil
                if index == self.pending.startIndex {
                    self.collected = []
                }
            }
            index = self.pending.index(after: index)
        }
        self.scheduleTimerIfNeeded(context: context)
    }
}
