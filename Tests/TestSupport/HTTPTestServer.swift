import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A scripted HTTP/1.1 server on 127.0.0.1 for tests: every request is recorded and answered by
/// the test's handler, which can also make the server misbehave (reset, close, stall, truncate).
/// Connections are kept alive, so connection reuse can be counted.
///
/// Use ``withHTTPTestServer(handler:_:)``: the server lives for the scope of the closure.
public final class HTTPTestServer: Sendable {
    public typealias Handler = @Sendable (RecordedRequest) async -> ScriptedResponse

    /// The port the server listens on.
    public let port: Int
    private let handler: Handler
    private let log = HTTPTestServerLog()

    init(port: Int, handler: @escaping Handler) {
        self.port = port
        self.handler = handler
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    public func url(_ path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] { log.withLock { $0.requests } }
    /// TCP connections accepted so far.
    public var acceptedConnections: Int { log.withLock { $0.acceptedConnections } }
    /// Accepted TCP connections that have closed since, whichever side closed them.
    public var closedConnections: Int { log.withLock { $0.closedConnections } }

    // MARK: Serving

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func serve(_ serverChannel: NIOAsyncChannel<Connection, Never>) async throws {
        try await serverChannel.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    let number = log.withLock { log in
                        log.acceptedConnections += 1
                        return log.acceptedConnections
                    }
                    connection.channel.closeFuture.whenComplete { [log] _ in
                        log.withLock { $0.closedConnections += 1 }
                    }
                    group.addTask {
                        await self.handle(connection, number: number)
                    }
                }
            }
        }
    }

    private func handle(_ connection: Connection, number: Int) async {
        let channel = connection.channel
        // Errors here are the faults the tests provoke (resets, closes): the connection just ends.
        try? await connection.executeThenClose { inbound, _ in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                    body = []
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let received = head else { continue }
                    let request = RecordedRequest(
                        method: received.method.rawValue,
                        uri: received.uri,
                        headers: received.headers.map { ($0.name, $0.value) },
                        body: body,
                        connectionNumber: number
                    )
                    log.withLock { $0.requests.append(request) }
                    let response = await handler(request)
                    guard try await perform(response, on: channel) else { return }
                }
            }
        }
    }

    /// Plays one scripted response; returns whether the connection stays open for another request.
    private func perform(_ response: ScriptedResponse, on channel: any Channel) async throws -> Bool {
        if let delay = response.delay {
            try await Task.sleep(for: delay)
        }
        switch response.action {
        case .respond(let status, let extraHeaders, let plainBody):
            let body = response.isGzipEncoded ? StoredGzip.encode(plainBody) : plainBody
            var headers = HTTPHeaders(extraHeaders)
            if response.isGzipEncoded {
                headers.add(name: "Content-Encoding", value: "gzip")
            }
            if response.framing == .contentLength {
                headers.add(name: "Content-Length", value: String(body.count))
            }
            // Without a Content-Length, NIO's encoder frames an HTTP/1.1 body as chunked.
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
            try await write(.head(head), on: channel)
            if !body.isEmpty {
                try await write(.body(.byteBuffer(ByteBuffer(bytes: body))), on: channel)
            }
            try await write(.end(nil), on: channel)
            return true
        case .reset:
            if let options = channel as? any SocketOptionProvider {
                try await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try await channel.close()
            return false
        case .close:
            try await channel.close()
            return false
        case .truncated(let status, let body, let declaredLength):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(declaredLength))
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
            try await write(.head(head), on: channel)
            try await write(.body(.byteBuffer(ByteBuffer(bytes: body))), on: channel)
            try await channel.close()
            return false
        case .neverAnswer:
            try await waitForClose(of: channel, atMost: .seconds(30))
            return false
        }
    }

    /// Writes through the channel and waits until the bytes reached the socket, so a close that
    /// follows cannot drop them.
    private func write(_ part: HTTPServerResponsePart, on channel: any Channel) async throws {
        try await channel.writeAndFlush(part).get()
    }

    private func waitForClose(of channel: any Channel, atMost limit: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: limit) }
            group.addTask { try await channel.closeFuture.get() }
            defer {
                // Ends both children: the sleep by cancellation, the close wait by closing.
                group.cancelAll()
                channel.close(promise: nil)
            }
            _ = try await group.next()
        }
    }
}

/// Runs `body` with a test server on 127.0.0.1 (a free port) answering with `handler`; the server
/// and its connections are closed when `body` returns.
public func withHTTPTestServer<Result: Sendable>(
    handler: @escaping HTTPTestServer.Handler,
    _ body: (HTTPTestServer) async throws -> Result
) async throws -> Result {
    let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.backlog, value: 256)
        .bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                return try HTTPTestServer.Connection(wrappingChannelSynchronously: channel)
            }
        }
    guard let port = serverChannel.channel.localAddress?.port else {
        try await serverChannel.channel.close()
        throw HTTPTestServerError.noPort
    }
    let server = HTTPTestServer(port: port, handler: handler)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await server.serve(serverChannel) }
        defer { group.cancelAll() }
        return try await body(server)
    }
}

enum HTTPTestServerError: Error {
    case noPort
}

/// What the server recorded.
struct HTTPTestServerLogState: Sendable {
    var requests: [RecordedRequest] = []
    var acceptedConnections = 0
    var closedConnections = 0
}

final class HTTPTestServerLog: @unchecked Sendable {
    // Safe because `state` is private and only read or written inside `withLock`, which holds
    // `lock` for the whole access.
    private let lock = NSLock()
    private var state = HTTPTestServerLogState()

    func withLock<Result>(_ body: (inout HTTPTestServerLogState) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }
}
