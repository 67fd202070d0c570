import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal WebSocket client on raw NIO: the handshake written by hand, frames parsed from the
/// byte stream, the protocol's subscription sent; envelope fields read by scanning for `"seq":`
/// and `"sentAt":` (no JSON decoding), so the client stays cheap next to the gateway. Speaks the
/// native protocol, Socket.IO v4 over WebSocket or nchan's WebSocket subscriber (`LoadProtocol`).
final class LoadClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case handshake
        case open
        case subscribed
    }

    private let stats: LoadStats
    private let host: String
    private let stream: String
    private let loadProtocol: LoadProtocol
    private let updateEvent: [UInt8]
    private var phase = Phase.handshake
    private var buffer = ByteBuffer()
    private var lastSequence = 0

    init(stats: LoadStats, host: String, stream: String, protocol loadProtocol: LoadProtocol) {
        self.stats = stats
        self.host = host
        self.stream = stream
        self.loadProtocol = loadProtocol
        self.updateEvent = Array("42\(LoadProtocol.namespace),[\"\(stream)-update\"".utf8)
    }

    func channelActive(context: ChannelHandlerContext) {
        stats.state.withLock { $0.tcpConnected += 1 }
        let request =
            "GET \(loadProtocol.path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let phase = self.phase
        stats.state.withLock { state in
            state.closed += 1
            switch phase {
            case .handshake: state.closedBeforeUpgrade += 1
            case .open: state.closedBeforeSubscribed += 1
            case .subscribed: break
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stats.fail("\(error)")
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        if phase == .handshake {
            guard let headLength = Self.headLength(buffer.readableBytesView) else { return }
            let head = buffer.readString(length: headLength) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                stats.fail(String(head.prefix { $0 != "\r" }))
                context.close(promise: nil)
                return
            }
            phase = .open
            stats.state.withLock { $0.connected += 1 }
            switch loadProtocol {
            case .webSocket: sendText(context: context, "{\"op\":\"subscribe\",\"stream\":\"\(stream)\"}")
            case .socketIO: break
            case .nchan:
                // nchan subscribes the socket to the channel of its location at the upgrade.
                phase = .subscribed
                stats.state.withLock { $0.subscribed += 1 }
            }
        }
        parseFrames(context: context)
        buffer.discardReadBytes()
    }

    static func has(prefix: [UInt8], _ view: ByteBufferView) -> Bool {
        view.withUnsafeBytes { bytes in
            prefix.withUnsafeBytes { prefix in
                bytes.count >= prefix.count && memcmp(bytes.baseAddress!, prefix.baseAddress!, prefix.count) == 0
            }
        }
    }

    /// The length of the HTTP head up to and including its blank line, once it has arrived.
    static func headLength(_ view: ByteBufferView) -> Int? {
        view.withUnsafeBytes { bytes -> Int? in
            guard bytes.count >= 4 else { return nil }
            for index in 3..<bytes.count
            where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
                return index + 1
            }
            return nil
        }
    }

    private func parseFrames(context: ChannelHandlerContext) {
        while buffer.readableBytes >= 2 {
            let start = buffer.readerIndex
            guard let first = buffer.getInteger(at: start, as: UInt8.self),
                let second = buffer.getInteger(at: start + 1, as: UInt8.self)
            else { return }
            var length = Int(second & 0x7F)
            var headerLength = 2
            if length == 126 {
                guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return }
                length = Int(extended)
                headerLength = 4
            } else if length == 127 {
                guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return }
                length = Int(extended)
                headerLength = 10
            }
            guard buffer.readableBytes >= headerLength + length else { return }
            buffer.moveReaderIndex(forwardBy: headerLength)
            guard let payload = buffer.readSlice(length: length) else { return }
            switch first & 0x0F {
            case 0x1:
                switch loadProtocol {
                case .webSocket: handleNativeText(payload)
                case .socketIO: handleSocketIOText(payload, context: context)
                case .nchan: recordDelivery(payload.readableBytesView)
                }
            case 0x9: send(context: context, opcode: 0xA, payload: payload)
            case 0x8:
                send(context: context, opcode: 0x8, payload: payload)
                context.close(promise: nil)
            default: break
            }
        }
    }

    private static let subscribedPrefix = Array("{\"op\":\"subscribed\"".utf8)

    private func handleNativeText(_ payload: ByteBuffer) {
        let view = payload.readableBytesView
        if phase != .subscribed, Self.has(prefix: Self.subscribedPrefix, view) {
            phase = .subscribed
            stats.state.withLock { $0.subscribed += 1 }
            return
        }
        recordDelivery(view)
    }

    private static let confirmedEvent = Array("42\(LoadProtocol.namespace),[\"subscription-confirmed\"".utf8)
    private static let connectedPrefix = Array("40\(LoadProtocol.namespace),".utf8)
    private static let connectErrorPrefix = Array("44\(LoadProtocol.namespace),".utf8)

    /// Engine.IO: `0` open (join the namespace), `2` ping (answer `3`); Socket.IO: the namespace
    /// joined (subscribe), `subscription-confirmed`, `<stream>-update`.
    private func handleSocketIOText(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        let view = payload.readableBytesView
        guard let type = view.first else { return }
        switch type {
        case UInt8(ascii: "2"):
            sendText(context: context, "3")
        case UInt8(ascii: "0"):
            sendText(context: context, "40\(LoadProtocol.namespace),")
        case UInt8(ascii: "4"):
            if Self.has(prefix: updateEvent, view) {
                if phase == .subscribed { recordDelivery(view) }
            } else if Self.has(prefix: Self.confirmedEvent, view) {
                if phase != .subscribed {
                    phase = .subscribed
                    stats.state.withLock { $0.subscribed += 1 }
                }
            } else if Self.has(prefix: Self.connectedPrefix, view) {
                sendText(context: context, "42\(LoadProtocol.namespace),[\"subscribe-\(stream)\"]")
            } else if Self.has(prefix: Self.connectErrorPrefix, view) {
                stats.fail(String(buffer: payload))
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    private static let sequenceKey = Array("\"seq\":".utf8)
    private static let sentAtKey = Array("\"sentAt\":".utf8)

    private func recordDelivery(_ view: ByteBufferView) {
        guard let sequence = Self.integer(after: Self.sequenceKey, in: view),
            let sentAt = Self.integer(after: Self.sentAtKey, in: view)
        else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let latency = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) - Int64(sentAt)
        if sequence <= lastSequence {
            stats.state.withLock { $0.duplicates += 1 }
            return
        }
        lastSequence = sequence
        stats.record(sequence: sequence, latencyNanos: latency)
    }

    /// The decimal integer right after the first `key` in `view`: a plain byte scan (the generic
    /// `firstRange(of:)` costs tens of microseconds a message and would make the client the bottleneck).
    static func integer(after key: [UInt8], in view: ByteBufferView) -> Int? {
        view.withUnsafeBytes { bytes -> Int? in
            key.withUnsafeBytes { key -> Int? in
                guard let first = key.first, bytes.count >= key.count else { return nil }
                var start = 0
                let last = bytes.count - key.count
                while start <= last {
                    if bytes[start] == first, memcmp(bytes.baseAddress! + start, key.baseAddress!, key.count) == 0 {
                        var index = start + key.count
                        var value = 0
                        var digits = 0
                        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                            value = value * 10 + Int(bytes[index] - 48)
                            index += 1
                            digits += 1
                        }
                        return digits > 0 ? value : nil
                    }
                    start += 1
                }
                return nil
            }
        }
    }

    private func sendText(context: ChannelHandlerContext, _ text: String) {
        send(context: context, opcode: 0x1, payload: ByteBuffer(string: text))
    }

    /// A masked client frame (mask key 0: the payload bytes stay as they are).
    private func send(context: ChannelHandlerContext, opcode: UInt8, payload: ByteBuffer) {
        var frame = ByteBuffer()
        frame.writeInteger(0x80 | opcode)
        let length = payload.readableBytes
        if length < 126 {
            frame.writeInteger(UInt8(0x80 | length))
        } else {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(length))
        }
        frame.writeInteger(UInt32(0))
        var payload = payload
        frame.writeBuffer(&payload)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}
