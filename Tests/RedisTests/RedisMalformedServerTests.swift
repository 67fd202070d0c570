import NIOCore
import NIOPosix
import Redis
import TestSupport
import Testing

/// A fake server that answers the handshake with `hello` and every later command with `reply`,
/// its pieces written and flushed one by one (a separate send each), `pause` apart when set.
private final class ScriptedServerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let unknownHello = "-ERR unknown command 'HELLO'\r\n"

    let hello: String
    let reply: [String]
    let pause: TimeAmount?

    init(hello: String = ScriptedServerHandler.unknownHello, reply: [String], pause: TimeAmount? = nil) {
        self.hello = hello
        self.reply = reply
        self.pause = pause
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = String(buffer: self.unwrapInboundIn(data))
        guard !request.contains("HELLO") else {
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: self.hello)), promise: nil)
            return
        }
        guard let pause = self.pause else {
            for piece in self.reply {
                context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: piece)), promise: nil)
            }
            return
        }
        self.write(self.reply[...], pause: pause, context: context)
    }

    /// One piece now, the next after `pause`: each reaches the client on its own.
    private func write(_ pieces: ArraySlice<String>, pause: TimeAmount, context: ChannelHandlerContext) {
        guard let piece = pieces.first else { return }
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: piece)), promise: nil)
        let rest = pieces.dropFirst()
        guard !rest.isEmpty else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: pause) {
            self.write(rest, pause: pause, context: context)
        }
    }
}

// Integration: a scripted server on a real 127.0.0.1 socket, timed by the wall clock (a 200 ms command
// timeout checked against 2 s, twenty thousand paced writes under a 20 s timeout); in parallel with the
// unit layer on two cores those times do not hold.
@Suite(.tags(.integration)) struct RedisMalformedServerTests {
    static func withFakeServer<T: Sendable>(reply: String, _ body: (Int) async throws -> T) async throws -> T {
        try await Self.withFakeServer(hello: ScriptedServerHandler.unknownHello, reply: [reply], body)
    }

    /// `group` runs the server: one of its own for a server that holds its event loop busy.
    static func withFakeServer<T: Sendable>(
        hello: String, reply: [String], pause: TimeAmount? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, _ body: (Int) async throws -> T
    ) async throws -> T {
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedServerHandler(hello: hello, reply: reply, pause: pause))
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

    @Test func aServerThatAcceptsButNeverAnswersHelloFailsTheConnectWithATimeout() async throws {
        try await Self.withFakeServer(hello: "", reply: []) { port in
            var configuration = RedisConfiguration.test(port: port)
            configuration.timeouts.connect = .milliseconds(300)
            let start = ContinuousClock.now
            do {
                let connection = try await RedisConnection.connect(configuration: configuration, logger: testLogger)
                Issue.record("connected without an answer to HELLO")
                await connection.close()
            } catch let error as RedisClientError {
                #expect(error.code == .connectTimeout, "\(error)")
                #expect(error.message.contains("handshake"), "\(error)")
            }
            #expect(ContinuousClock.now - start < .seconds(3))
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
        // Paced, so the client reads the elements apart (parsing the reply again from its start
        // on every read took minutes). Twenty thousand reads keep a loop busy: server and client
        // get one of their own, and the other tests' connections keep theirs.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await Self.withFakeServer(
                hello: ScriptedServerHandler.unknownHello, reply: ["*\(count)\r\n"] + elements, pause: .microseconds(20),
                group: group
            ) { port in
                var configuration = RedisConfiguration.test(port: port)
                configuration.timeouts.command = .seconds(20)
                let connection = try await RedisConnection.connect(
                    configuration: configuration, eventLoopGroup: group, logger: testLogger)
                let reply = try await connection.send(["LRANGE", "list", "0", "-1"])
                #expect(reply == .array((0..<count).map { .bulkString(ByteBuffer(string: String($0))) }))
                await connection.close()
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}
