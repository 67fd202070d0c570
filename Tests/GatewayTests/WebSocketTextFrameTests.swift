import Bus
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Payloads
import Testing

@testable import Gateway

/// The frames the gateway writes below the frame encoder are the bytes NIO's own encoder writes.
struct WebSocketTextFrameTests {
    /// What `WebSocketFrameEncoder` puts on the wire for an unmasked text frame of `payload`.
    private func encodedByNIO(_ payload: ByteBuffer) throws -> ByteBuffer {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        defer { _ = try? channel.finish() }
        try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, data: payload))
        var wire = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { wire.writeBuffer(&part) }
        return wire
    }

    @Test(arguments: [0, 1, 125, 126, 200, 65_535, 65_536, 70_000])
    func matchesNIOsEncoder(length: Int) throws {
        let payload = ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 % 94 + 33) })
        let frame = WebSocketTextFrame.encode(payload)
        #expect(frame == (try encodedByNIO(payload)))
        #expect(frame.readableBytes == WebSocketTextFrame.headerLength(payloadLength: length) + length)
    }

    @Test func preparedMessageBuildsEachFrameOncePerEventLoop() {
        let envelope = ByteBuffer(string: "{\"v\":1,\"id\":\"7-0\"}")
        let message = BusMessage(stream: .metrics, id: BusMessageID(milliseconds: 7, sequence: 0), envelope: envelope)
        let prepared = PreparedMessage(message)
        let loop = EmbeddedEventLoop()
        let otherLoop = EmbeddedEventLoop()
        let frame = prepared.webSocketFrame(for: .webSocket, on: loop)
        #expect(frame.getBytes(at: frame.readerIndex, length: 2) == [0x81, UInt8(envelope.readableBytes)])
        #expect(frame.getSlice(at: frame.readerIndex + 2, length: envelope.readableBytes) == envelope)
        // Shared on one loop: the second socket gets the same storage, not a copy.
        prepared.webSocketFrame(for: .webSocket, on: loop).withUnsafeReadableBytes { second in
            frame.withUnsafeReadableBytes { first in #expect(first.baseAddress == second.baseAddress) }
        }
        // Another loop gets the same bytes in storage of its own.
        let other = prepared.webSocketFrame(for: .webSocket, on: otherLoop)
        #expect(other == frame)
        other.withUnsafeReadableBytes { second in
            frame.withUnsafeReadableBytes { first in #expect(first.baseAddress != second.baseAddress) }
        }
        let socketIO = prepared.webSocketFrame(for: .socketIO, on: loop)
        #expect(
            socketIO.getSlice(at: socketIO.readerIndex + 2, length: prepared.socketIOPacket.readableBytes)
                == prepared.socketIOPacket)
        #expect(prepared.webSocketFrame(for: .socketIO, on: otherLoop) == socketIO)
    }
}
