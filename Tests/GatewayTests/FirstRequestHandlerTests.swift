import NIOCore
import NIOEmbedded
import Testing

@testable import Gateway

/// The wait for a connection's first request head, on an `EmbeddedChannel` with virtual time.
struct FirstRequestHandlerTests {
    private func channel(timeout: TimeAmount = .seconds(30)) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            FirstRequestHandler(timeout: timeout, quiesceGrace: .seconds(2)), name: FirstRequestHandler.name)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }

    @Test func aConnectionThatSentNothingClosesOnQuiesce() throws {
        let channel = try channel()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    @Test func aHeadUnderWayGetsTheGraceOnQuiesce() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(string: "GET /ws HTTP/1.1\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "GET /ws HTTP/1.1\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1900))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
    }

    @Test func aHeadNotCompleteWithinTheTimeoutCloses() throws {
        let channel = try channel(timeout: .seconds(30))
        try channel.writeInbound(ByteBuffer(string: "GE"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func onceRemovedItClosesNothing() throws {
        let channel = try channel(timeout: .seconds(1))
        try channel.pipeline.syncOperations.removeHandler(name: FirstRequestHandler.name).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.run()
        #expect(channel.isActive)
        _ = try? channel.finish()
    }
}
