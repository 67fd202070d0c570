import NIOCore
import NIOPosix
import Redis
import TestSupport
import Testing

/// A fake server that answers the handshake with `hello` and every later command with `reply`.
private final class ScriptedServerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let reply: String

    init(reply: String) {
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = String(buffer: self.unwrapInboundIn(data))
        let answer = request.contains("HELLO") ? "-ERR unknown command 'HELLO'\r\n" : self.reply
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
    }
}

@Suite struct RedisMalformedServerTests {
    static func withFakeServer<T: Sendable>(reply: String, _ body: (Int) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedServerHandler(reply: reply))
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
}
