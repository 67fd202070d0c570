import NIOCore
import NIOEmbedded
import NIOWebSocket

@testable import Gateway

/// ``WebSocketChannelHandler`` on an `EmbeddedChannel` below NIO's real frame decoder (no
/// encoder: what the handler writes is read back as `WebSocketFrame`s), with an endpoint that
/// records what it gets and a counter of the reads that reach the socket.
final class WebSocketHandlerHarness {
    let channel = EmbeddedChannel()
    let endpoint = RecordingEndpoint()
    let reads = ReadCounter()

    init(
        maxMessageBytes: Int = 4096, pingInterval: Duration = .seconds(30), controlFramesPerSecond: Int = 20
    ) throws {
        let handler = WebSocketChannelHandler(
            endpoint: endpoint, pingInterval: pingInterval, maxMessageBytes: maxMessageBytes,
            controlFramesPerSecond: controlFramesPerSecond, logger: .init(label: "test"))
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxMessageBytes)))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    }

    /// `frames` as the client's bytes, all in one read.
    func send(_ frames: ClientFrame...) throws {
        try send(frames)
    }

    func send(_ frames: [ClientFrame]) throws {
        var buffer = ByteBuffer()
        for frame in frames { frame.encode(into: &buffer) }
        try sendBytes(buffer)
    }

    /// Raw bytes, as one read (a frame may be cut anywhere).
    func sendBytes(_ bytes: ByteBuffer) throws {
        guard channel.isActive else { return }
        do {
            try channel.writeInbound(bytes)
        } catch is NIOWebSocketError {
            // The decoder's error also reaches the end of the pipeline; the handler has acted on it.
        }
    }

    /// The frames written since the last call.
    func written() throws -> [WebSocketFrame] {
        var frames: [WebSocketFrame] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    /// After a frame the decoder refused: the gateway's side of the stream ends after its close
    /// frame, the socket stays open for the client to read it and answer, and is cut when its
    /// time is up.
    func isClosedByTheCut() -> Bool {
        guard channel.isActive, reads.isOutputClosed else { return false }
        channel.embeddedEventLoop.advanceTime(by: WebSocketChannelHandler.closeTimeout - .milliseconds(1))
        guard channel.isActive else { return false }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        return !channel.isActive
    }

    func setWritable(_ isWritable: Bool) {
        channel.isWritable = isWritable
        channel.pipeline.fireChannelWritabilityChanged()
    }
}

/// The messages a ``WebSocketEndpoint`` got. As `/ws` and Engine.IO do, it follows a
/// ``ClientOutbox`` on the socket, so that closes go through the connection (and come back
/// to the socket on a later turn of the loop), as in production.
final class RecordingEndpoint: WebSocketEndpoint {
    enum Message: Equatable {
        case text(String)
        case binary([UInt8])
    }

    private(set) var messages: [Message] = []
    private(set) var isClosed = false
    private(set) var connection: ClientOutbox?

    func opened(_ link: WebSocketLink) {
        let connection = ClientOutbox(
            format: .webSocket, delivery: .channel(link.channel), limits: .init(maxMessages: 256, maxBytes: 1 << 20),
            metrics: GatewayMetrics())
        self.connection = connection
        link.follow(connection)
    }

    func received(_ message: WebSocketMessage, _ link: WebSocketLink) {
        switch message {
        case .text(let data): messages.append(.text(String(buffer: data)))
        case .binary(let data): messages.append(.binary(Array(data.readableBytesView)))
        }
    }

    func closed() { isClosed = true }
}

/// Counts the reads that pass it on their way to the socket (it sits first in the pipeline), and
/// plays a socket's half-close: a close of the output is recorded and the channel stays open
/// (`EmbeddedChannel` would close altogether).
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    private(set) var count = 0
    private(set) var isOutputClosed = false

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .output else { return context.close(mode: mode, promise: promise) }
        isOutputClosed = true
        promise?.succeed(())
    }
}

/// A frame as a client sends it: masked unless told otherwise.
struct ClientFrame {
    var fin = true
    var rsv: UInt8 = 0
    var opcode: UInt8
    var payload: [UInt8] = []
    var isMasked = true

    static func text(_ text: String, fin: Bool = true) -> ClientFrame {
        ClientFrame(fin: fin, opcode: 1, payload: Array(text.utf8))
    }
    static func text(bytes: [UInt8], fin: Bool = true) -> ClientFrame { ClientFrame(fin: fin, opcode: 1, payload: bytes) }
    static func binary(_ bytes: [UInt8], fin: Bool = true) -> ClientFrame { ClientFrame(fin: fin, opcode: 2, payload: bytes) }
    static func continuation(_ text: String, fin: Bool = true) -> ClientFrame {
        ClientFrame(fin: fin, opcode: 0, payload: Array(text.utf8))
    }
    static func continuation(bytes: [UInt8], fin: Bool = true) -> ClientFrame { ClientFrame(fin: fin, opcode: 0, payload: bytes) }
    static func ping(_ payload: String = "", fin: Bool = true) -> ClientFrame {
        ClientFrame(fin: fin, opcode: 9, payload: Array(payload.utf8))
    }
    static func pong(_ payload: [UInt8]) -> ClientFrame { ClientFrame(opcode: 10, payload: payload) }
    static func close(_ code: UInt16? = nil, reason: [UInt8] = []) -> ClientFrame {
        var payload: [UInt8] = []
        if let code { payload = [UInt8(code >> 8), UInt8(code & 0xFF)] }
        return ClientFrame(opcode: 8, payload: payload + reason)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8((fin ? 0x80 : 0) | (rsv << 4) | opcode))
        let mask: UInt8 = isMasked ? 0x80 : 0
        if payload.count < 126 {
            buffer.writeInteger(mask | UInt8(payload.count))
        } else if payload.count < 65536 {
            buffer.writeInteger(mask | 126)
            buffer.writeInteger(UInt16(payload.count))
        } else {
            buffer.writeInteger(mask | 127)
            buffer.writeInteger(UInt64(payload.count))
        }
        guard isMasked else {
            buffer.writeBytes(payload)
            return
        }
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        buffer.writeBytes(key)
        buffer.writeBytes(payload.enumerated().map { $0.element ^ key[$0.offset % 4] })
    }

    var bytes: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }
}

extension WebSocketFrame {
    /// A close frame's code, nil for another frame or an empty close.
    var closeCode: UInt16? {
        guard opcode == .connectionClose else { return nil }
        var data = self.data
        return data.readInteger(as: UInt16.self)
    }

    var closeReason: String {
        var data = self.data
        data.moveReaderIndex(forwardBy: min(2, data.readableBytes))
        return String(buffer: data)
    }

    var payload: [UInt8] { Array(data.readableBytesView) }
}
