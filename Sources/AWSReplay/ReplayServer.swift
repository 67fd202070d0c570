import AWSCapture
import AWSCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Serves a folder of captures over HTTP/1.1, so tests drive the real libcurl path with
/// `AWS_ENDPOINT_URL` pointing at it. See ``ReplayResponder`` for what it answers.
///
/// Scoped: ``withServer(_:)`` binds, runs the body with the bound port and stops; ``run(onListening:)``
/// serves until its task is cancelled. Connections are handled in child tasks of the accept loop.
public struct ReplayServer: Sendable {
    public let handler: any ReplayRequestHandler
    public let configuration: ReplayConfiguration
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    typealias Listener = NIOAsyncChannel<Connection, Never>

    /// A server answering from `captures` (see ``ReplayResponder``).
    public init(
        captures: [Capture],
        configuration: ReplayConfiguration = ReplayConfiguration(),
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.init(
            handler: ReplayResponder(captures: captures, configuration: configuration, logger: logger),
            configuration: configuration,
            logger: logger,
            eventLoopGroup: eventLoopGroup
        )
    }

    /// A server answering with any handler (``RecordingProxy`` for `aws-realtime record`).
    public init(
        handler: any ReplayRequestHandler,
        configuration: ReplayConfiguration = ReplayConfiguration(),
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.handler = handler
        self.configuration = configuration
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
    }

    /// Binds, runs `body` with the bound port, then stops serving and returns `body`'s result.
    public func withServer<Result: Sendable>(_ body: @Sendable (Int) async throws -> Result) async throws -> Result {
        let listener = try await bind()
        let port = listener.channel.localAddress?.port ?? configuration.port
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.serve(listener) }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }

    /// Binds, calls `onListening` with the bound port, and serves until the task is cancelled.
    public func run(onListening: @Sendable (Int) async -> Void = { _ in }) async throws {
        let listener = try await bind()
        await onListening(listener.channel.localAddress?.port ?? configuration.port)
        try await serve(listener)
    }

    func bind() async throws -> Listener {
        let idleTimeout = TimeAmount(configuration.limits.idleTimeout)
        return try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
    }

    func serve(_ listener: Listener) async throws {
        let slots = ConnectionSlots(limit: configuration.limits.maximumConnections)
        try await listener.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    guard await slots.acquire() else {
                        logger.info(
                            "replay refused a connection: too many open", metadata: ["replay.connections": "\(slots.limit)"])
                        connection.channel.close(promise: nil)
                        continue
                    }
                    group.addTask {
                        await self.handle(connection)
                        await slots.release()
                    }
                }
            }
        }
    }

    func handle(_ connection: Connection) async {
        let limits = configuration.limits
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var isTooLarge = false
                var handled = 0
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                        isTooLarge = false
                    case .body(let buffer):
                        if body.count + buffer.readableBytes > limits.maximumRequestBodyBytes {
                            isTooLarge = true
                        } else if !isTooLarge {
                            body.append(contentsOf: buffer.readableBytesView)
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        handled += 1
                        let request = Self.capturedRequest(requestHead, body: body)
                        let action: ReplayAction
                        if isTooLarge {
                            let error = CaptureErrorResponse(
                                status: 413,
                                code: "RequestEntityTooLarge",
                                message: "Request body larger than \(limits.maximumRequestBodyBytes) bytes"
                            )
                            let response = error.response(for: CaptureWireProtocol(request: request), request: request)
                            action = .respond(
                                ReplayResponder.finish(response, now: configuration.wallClock(), dateOffset: 0), delay: .zero)
                        } else {
                            action = await handler.respond(to: request)
                        }
                        let keepAlive = requestHead.isKeepAlive && !isTooLarge && handled < limits.maximumRequestsPerConnection
                        switch action {
                        case .respond(let response, let delay):
                            if delay > .zero { try await Task.sleep(for: delay) }
                            try await Self.write(response, version: requestHead.version, keepAlive: keepAlive, to: outbound)
                            if !keepAlive { return }
                        case .reset:
                            try await Self.reset(connection.channel)
                            return
                        case .truncate(let response, let sendBytes):
                            try await Self.write(
                                response,
                                version: requestHead.version,
                                keepAlive: false,
                                to: outbound,
                                bodyBytes: sendBytes
                            )
                            return
                        }
                        head = nil
                        body = []
                    }
                }
            }
        } catch {
            logger.debug("replay connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    static func capturedRequest(_ head: HTTPRequestHead, body: [UInt8]) -> CapturedRequest {
        let parts = CapturedRequest.splitURL(head.uri)
        return CapturedRequest(
            method: head.method.rawValue,
            host: head.headers.first(name: "host"),
            path: parts.path,
            query: parts.query,
            headers: head.headers.map { AWSHTTPHeader($0.name, $0.value) },
            body: body
        )
    }

    /// Writes the status line and headers, then `bodyBytes` of the body (all of it by default) and,
    /// for a whole body, the end of the message.
    static func write(
        _ response: AWSHTTPResponse,
        version: HTTPVersion,
        keepAlive: Bool,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        bodyBytes: Int? = nil
    ) async throws {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        try await outbound.write(.head(head))
        let count = min(bodyBytes ?? response.body.count, response.body.count)
        if count > 0 {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body.prefix(count)))))
        }
        if bodyBytes == nil { try await outbound.write(.end(nil)) }
    }

    /// SO_LINGER with a zero timeout makes the close send RST instead of FIN.
    static func reset(_ channel: any Channel) async throws {
        if let provider = channel as? any SocketOptionProvider {
            try await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
    }
}

/// Counts open connections against the limit.
actor ConnectionSlots {
    let limit: Int
    private var open = 0

    init(limit: Int) {
        self.limit = limit
    }

    func acquire() -> Bool {
        guard open < limit else { return false }
        open += 1
        return true
    }

    func release() {
        open -= 1
    }
}

/// Closes a connection when `IdleStateHandler` reports it idle.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
