import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import Synchronization

/// What `shouldUpgrade` decided for one request: upgrade and serve the socket with the channel
/// handler made here (added above the frame codec: no task per socket), or refuse with a status
/// and a reason (hummingbird-websocket's own channel answers every refusal with 400; browsers and
/// operators deserve 401, 403 and 503).
enum GatewayUpgradeDecision: Sendable {
    case serveInPipeline(@Sendable () -> any ChannelHandler)
    case refuse(HTTPResponse.Status, reason: String)
}

/// HTTP/1.1 with a WebSocket upgrade, after hummingbird-websocket's `HTTP1WebSocketUpgradeChannel`
/// (same pipeline up to the frame codec), except that a refused upgrade answers with the status
/// the gateway chose, that the wait for the first request is bounded and ends on graceful
/// shutdown (``FirstRequestHandler``), and that an upgraded socket is served by a channel handler
/// (``WebSocketChannelHandler``) instead of a task: an idle socket costs its channel, no task
/// stack.
struct GatewayWebSocketChannel: ServerChildChannel, HTTPChannelHandler {
    typealias ShouldUpgrade = @Sendable (HTTPRequest, any Channel, Logger) async -> GatewayUpgradeDecision

    enum UpgradeResult: Sendable {
        /// A channel handler serves the socket; nothing is left for the connection's task.
        case servedInPipeline
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, HTTPResponse.Status, String, Logger)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    /// The decision of `shouldUpgrade`, made off the event loop, read by the pipeline handlers.
    private final class DecisionBox: Sendable {
        let value = Mutex<GatewayUpgradeDecision?>(nil)
    }

    let responder: HTTPChannelHandler.Responder
    let http1: HTTP1Channel.Configuration
    /// The largest inbound frame the decoder takes (bigger: 1009).
    let maxFrameSize: Int
    /// How long a connection may take to send its first request head.
    let requestHeadTimeout: Duration
    let shouldUpgrade: ShouldUpgrade

    init(
        responder: @escaping HTTPChannelHandler.Responder,
        http1: HTTP1Channel.Configuration = .init(),
        maxFrameSize: Int,
        requestHeadTimeout: Duration,
        shouldUpgrade: @escaping ShouldUpgrade
    ) {
        self.responder = responder
        self.http1 = http1
        self.maxFrameSize = maxFrameSize
        self.requestHeadTimeout = requestHeadTimeout
        self.shouldUpgrade = shouldUpgrade
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let decision = DecisionBox()
            let shouldUpgrade = self.shouldUpgrade
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: maxFrameSize,
                // The frame decoder's errors are answered by `WebSocketChannelHandler`, which
                // then stops reading frames at once.
                enableAutomaticErrorHandling: false,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        let request = try HTTPRequest(head, secure: false, splitCookie: false)
                        let result = await shouldUpgrade(request, channel, logger)
                        decision.value.withLock { $0 = result }
                        switch result {
                        case .serveInPipeline: return HTTPHeaders()
                        case .refuse: return nil
                        }
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        channel.pipeline.syncOperations.removeHandler(name: FirstRequestHandler.name, promise: nil)
                        guard case .serveInPipeline(let makeHandler) = decision.value.withLock({ $0 }) else {
                            throw ChannelError.inappropriateOperationForState
                        }
                        // A client that half-closes (TCP FIN without a close frame) is gone: the
                        // socket closes at once instead of waiting for the next ping to fail.
                        try channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: false)
                        // Clients send little: a small first receive buffer, grown when filled.
                        try channel.syncOptions?.setOption(
                            .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536))
                        try channel.pipeline.syncOperations.addHandler(makeHandler())
                        return UpgradeResult.servedInPipeline
                    }
                }
            )
            let serverUpgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        channel.pipeline.syncOperations.removeHandler(name: FirstRequestHandler.name, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HalfClosedStreamHandler())
                        try channel.pipeline.syncOperations.addHandlers(self.http1.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: self.http1.idleTimeout.map { .init($0) }, logger: logger)
                        )
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                        if case .refuse(let status, let reason) = decision.value.withLock({ $0 }) {
                            return UpgradeResult.refused(asyncChannel, status, reason, logger)
                        }
                        return UpgradeResult.notUpgraded(asyncChannel)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(
                upgradeConfiguration: serverUpgradeConfiguration)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                configuration: configuration)
            try channel.pipeline.syncOperations.addHandler(
                FirstRequestHandler(timeout: TimeAmount(requestHeadTimeout)), name: FirstRequestHandler.name, position: .first)
            return Value(upgradeResult: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .servedInPipeline:
                return
            case .notUpgraded(let http1):
                await handleHTTP(asyncChannel: http1, logger: logger)
            case .refused(let http1, let status, let reason, let logger):
                await writeRefusal(asyncChannel: http1, status: status, reason: reason, logger: logger)
            }
        } catch {
            logger.debug("Upgrade failed", metadata: ["error": "\(error)"])
        }
    }

    private func writeRefusal(
        asyncChannel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, status: HTTPResponse.Status, reason: String,
        logger: Logger
    ) async {
        do {
            try await asyncChannel.executeThenClose { _, outbound in
                let body = ByteBuffer(string: reason + "\n")
                let head = HTTPResponse(
                    status: status,
                    headerFields: [
                        .connection: "close",
                        .contentType: "text/plain; charset=utf-8",
                        .contentLength: String(body.readableBytes),
                    ])
                try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
            }
        } catch {
            logger.trace("Could not write the refusal", metadata: ["error": "\(error)"])
        }
    }
}
