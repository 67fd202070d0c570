import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Gateway

/// What a hostile client can make ``WebSocketChannelHandler`` do with control frames: a ping
/// flood on a socket it never reads, unsolicited pongs against the gateway's ping timeout.
struct WebSocketControlFrameTests {
    /// While the socket is not writable no pong is queued and nothing more is read; when it is
    /// again, only the latest ping is answered and reading resumes.
    @Test func pingsWhileUnwritableQueueNoPongsAndOnlyTheLatestIsAnswered() throws {
        let socket = try WebSocketHandlerHarness()
        socket.setWritable(false)
        try socket.send((0..<30).map { ClientFrame.ping("ping-\($0)") })
        #expect(try socket.written().isEmpty)
        socket.channel.read()
        #expect(socket.reads.count == 0, "no read while unwritable")

        socket.setWritable(true)
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.pong])
        #expect(written.first.map { String(buffer: $0.data) } == "ping-29")
        #expect(socket.reads.count == 1, "the held read is made")
        socket.channel.read()
        #expect(socket.reads.count == 2)
    }

    /// A flood of pings is answered up to the control frame budget (a burst of twice the rate)
    /// and then closed (1008), whether or not the client reads: the pongs written are bounded.
    @Test func aPingFloodGetsABoundedNumberOfPongsThenIsClosed() throws {
        let socket = try WebSocketHandlerHarness(controlFramesPerSecond: 20)
        try socket.send((0..<10_000).map { ClientFrame.ping("\($0)") })
        let written = try socket.written()
        let pongs = written.filter { $0.opcode == .pong }
        #expect(pongs.count >= 40 && pongs.count <= 42, "\(pongs.count) pongs")
        #expect(written.last?.closeCode == 1008)
        #expect(written.last?.closeReason == CloseReason.rateLimited.text)
        #expect(written.count == pongs.count + 1, "nothing after the close frame")
    }

    @Test func unsolicitedPongsCountAgainstTheBudget() throws {
        let socket = try WebSocketHandlerHarness(controlFramesPerSecond: 20)
        try socket.send((0..<200).map { _ in ClientFrame.pong([1, 2, 3]) })
        #expect(try socket.written().map(\.closeCode) == [1008])
    }

    /// The gateway's ping carries a fresh 8-byte payload; a pong with another payload (an
    /// unsolicited one, or a stale one) does not answer it, and the next tick closes with 1001.
    @Test func anUnsolicitedPongDoesNotAnswerTheGatewaysPing() throws {
        let socket = try WebSocketHandlerHarness(pingInterval: .seconds(30))
        socket.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        let first = try socket.written()
        #expect(first.map(\.opcode) == [.ping])
        let payload = try #require(first.first).payload
        #expect(payload.count == 8)
        try socket.send(.pong([]), .pong(Array("unsolicited".utf8)), .pong(payload.map { $0 ^ 1 }))
        socket.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        let second = try socket.written()
        #expect(second.map(\.closeCode) == [1001])
        #expect(second.first?.closeReason == "ping timeout")
    }

    @Test func thePongCarryingThePingPayloadAnswersIt() throws {
        let socket = try WebSocketHandlerHarness(pingInterval: .seconds(30))
        var payloads: [[UInt8]] = []
        for _ in 0..<3 {
            socket.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
            let written = try socket.written()
            #expect(written.map(\.opcode) == [.ping])
            let payload = try #require(written.first).payload
            try socket.send(.pong(payload))
            payloads.append(payload)
        }
        #expect(Set(payloads).count == 3, "a new payload each ping")
        // A stale answer (the first ping's) does not answer the fourth.
        socket.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        _ = try socket.written()
        try socket.send(.pong(payloads[0]))
        socket.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(try socket.written().map(\.closeCode) == [1001])
    }
}
