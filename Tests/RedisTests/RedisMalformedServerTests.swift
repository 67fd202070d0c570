import NIOCore
import NIOPosix
import Redis
import TestSupport
import Testing

/// A fake server that answers the handshake with `hello` and every later command with `reply`,
/// its pieces written and flushed one by one (a separate send each).
private final class ScriptedServerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let unknownHello = "-ERR unknown command 'HELLO'\r\n"

    let hello: String
    let reply: [String]

    init(hello: String = ScriptedServerHandler.unknownHello, reply: [String]) {
        self.hello = hello
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = String(buffer: self.unwrapInboundIn(data))
        let pieces = request.contains("HELLO") ? [self.hello] : self.reply
        for piece in pieces {
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: piece)), promise: nil)
        }
    }
}

@Suite struct RedisMalformedServerTests {
    static func withFakeServer<T: Sendable>(reply: String, _ body: (Int) async throws -> T) async throws -> T {
        try await Self.withFakeServer(hello: ScriptedServerHandler.unknownHello, reply: [reply], body)
    }

    /// `group` runs the server: one of its own for a server that holds its event loop busy.
    static func withFakeServer<T: Sendable>(
        hello: String, reply: [String], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (Int) async throws -> T
    ) async throws -> T {
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedServerHandler(hello: hello, reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = server.localAddress?.port ?? 0
        do {
            let result = try await body(port)
            try await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    @Test(arguments: ["!!garbage\r\n", "$5\r\nab\r\n\r\n\r\n", ":notanumber\r\n", "*99999999999\r\n", "$999999999999\r\n"])
    func garbageFailsTheCommandAndClosesTheConnection(reply: String) async throws {
        try await Self.withFakeServer(reply: reply) { port in
            let connection = try await RedisConnection.connect(configuration: .test(port: port), logger: testLogger)
            #expect(!connection.isRESP3)
            do {
                _ = try await connection.ping()
                Issue.record("a garbage reply was accepted")
            } catch let error as RedisClientError {
                #expect(error.code == .protocolError)
            }
            try await connection.closeFuture.get()
            // Later commands fail at once instead of hanging.
            await #expect(throws: RedisClientError.self) { _ = try await connection.ping() }
        }
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        try await Self.withFakeServer(reply: "") { port in
            var configuration = RedisConfiguration.test(port: port)
            configuration.timeouts.command = .milliseconds(200)
            let connection = try await RedisConnection.connect(configuration: configuration, logger: testLogger)
            let start = ContinuousClock.now
            do {
                _ = try await connection.ping()
                Issue.record("no reply, yet PING succeeded")
            } catch let error as RedisClientError {
                #expect(error.code == .commandTimeout)
            }
            #expect(ContinuousClock.now - start < .seconds(2))
            await connection.close()
        }
    }

    @Test func aHelloAnswerBehindAChainOfAttributesFailsTheConnectNotTheProcess() async throws {
        let hello = String(repeating: "|0\r\n", count: 50_000) + "%1\r\n$5\r\nproto\r\n:3\r\n"
        try await Self.withFakeServer(hello: hello, reply: ["+PONG\r\n"]) { port in
            do {
                let connection = try await RedisConnection.connect(configuration: .test(port: port), logger: testLogger)
                Issue.record("connected through a chain of 50,000 attributes")
                await connection.close()
            } catch let error as RedisClientError {
                #expect(error.code == .connectionFailed)
                let cause = error.underlying as? RedisClientError
                #expect(cause?.code == .protocolError, "\(error)")
                #expect(cause?.message.contains("attributes") == true, "\(error)")
            }
        }
    }

    @Test func anArrayDrippedOneElementPerWriteArrivesWhole() async throws {
        let count = 20_000
        let elements = (0..<count).map { "$\(String($0).utf8.count)\r\n\($0)\r\n" }
        // The server's writes hold its event loop for a while: give it a loop of its own, and the
        // client reads on another while the elements arrive.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await Self.withFakeServer(
                hello: ScriptedServerHandler.unknownHello, reply: ["*\(count)\r\n"] + elements, group: serverGroup
            ) { port in
                var configuration = RedisConfiguration.test(port: port)
                configuration.timeouts.command = .seconds(20)
                let connection = try await RedisConnection.connect(configuration: configuration, logger: testLogger)
                let reply = try await connection.send(["LRANGE", "list", "0", "-1"])
                #expect(reply == .array((0..<count).map { .bulkString(ByteBuffer(string: String($0))) }))
                await connection.close()
            }
        } catch {
            try? await serverGroup.shutdownGracefully()
            throw error
        }
        try await serverGroup.shutdownGracefully()
    }
}
