import NIOCore

/// Bounds a connection's wait for its first request head, the stage before the upgrade pipeline
/// knows whether it serves HTTP or a WebSocket.
///
/// Nothing else watches that stage: `HTTPConnectionStateHandler` (idle timeout, quiescing) is
/// added only once a request was read, and `HTTPServerPipelineHandler` (which closes an idle
/// connection on quiesce) is not there because pipelining is off. So a connection that never
/// sent anything (browsers open such spare connections) held graceful shutdown until the
/// client closed it: about 60 s with Chromium.
///
/// - On `ChannelShouldQuiesceEvent` (the server's graceful shutdown) a connection that has sent
///   no byte is closed at once; one with a request head under way gets `quiesceGrace` to finish it.
/// - A head not complete within `timeout` of the connection opening closes the connection.
///
/// `GatewayWebSocketChannel` removes it (by ``name``) once the first head is complete, on both
/// the upgrade and the plain HTTP paths, so it costs nothing afterwards.
final class FirstRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let name = "gateway.first-request"

    private let timeout: TimeAmount
    private let quiesceGrace: TimeAmount
    private var hasReceivedBytes = false
    private var deadline: NIODeadline?
    private var scheduled: Scheduled<Void>?

    init(timeout: TimeAmount, quiesceGrace: TimeAmount = .seconds(2)) {
        self.timeout = timeout
        self.quiesceGrace = quiesceGrace
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { closeIfNoHead(context, within: timeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        closeIfNoHead(context, within: timeout)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        hasReceivedBytes = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            guard hasReceivedBytes else {
                context.close(promise: nil)
                return
            }
            closeIfNoHead(context, within: quiesceGrace)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Schedules the close at `now + amount`, unless one is already scheduled sooner.
    private func closeIfNoHead(_ context: ChannelHandlerContext, within amount: TimeAmount) {
        let candidate = context.eventLoop.now + amount
        if let deadline, deadline <= candidate { return }
        scheduled?.cancel()
        deadline = candidate
        scheduled = context.eventLoop.assumeIsolated().scheduleTask(deadline: candidate) {
            context.close(promise: nil)
        }
    }
}
