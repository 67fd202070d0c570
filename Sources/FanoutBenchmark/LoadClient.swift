import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What every load connection reports: handshakes, subscriptions, deliveries per sequence
/// number, duplicates and latency from publish to receipt.
final class LoadStats: Sendable {
    struct State {
        var connected = 0
        var subscribed = 0
        var closed = 0
        var failed = 0
        var duplicates = 0
        /// Deliveries per publish sequence number (index = seq), only while measuring.
        var perSequence: [Int] = []
        /// Latency histogram in 10 µs buckets up to 2 s, only while measuring.
        var histogram = [Int](repeating: 0, count: 200_000)
        var overflow = 0
        var maxLatencyMicros = 0
        var measuredFrom = Int.max
        var maxSequence = 0
    }
    let state = Mutex(State())

    func record(sequence: Int, latencyNanos: Int64) {
        state.withLock { state in
            if sequence > state.maxSequence { state.maxSequence = sequence }
            guard sequence >= state.measuredFrom else { return }
            if sequence >= state.perSequence.count {
                state.perSequence.append(contentsOf: repeatElement(0, count: sequence + 1024 - state.perSequence.count))
            }
            state.perSequence[sequence] += 1
            let micros = Int(max(0, latencyNanos) / 1000)
            if micros > state.maxLatencyMicros { state.maxLatencyMicros = micros }
            let bucket = micros / 10
            if bucket < state.histogram.count { state.histogram[bucket] += 1 } else { state.overflow += 1 }
        }
    }

    /// The latency (µs) below which `fraction` of the measured deliveries fall.
    func percentile(_ fraction: Double) -> Int {
        state.withLock { state in
            let total = state.histogram.reduce(0, +) + state.overflow
            guard total > 0 else { return 0 }
            let target = Int((Double(total) * fraction).rounded(.up))
            var seen = 0
            for (bucket, count) in state.histogram.enumerated() {
                seen += count
                if seen >= target { return bucket * 10 + 10 }
            }
            return state.maxLatencyMicros
        }
    }
}

/// A minimal WebSocket client on raw NIO: the handshake written by hand, frames parsed from the
/// byte stream, one `subscribe` sent; envelope fields read by scanning for `"seq":` and
/// `"sentAt":` (no JSON decoding), so the client stays cheap next to the gateway.
final class LoadClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stats: LoadStats
    private let host: String
    private let stream: String
    private var isOpen = false
    private var buffer = ByteBuffer()
    private var lastSequence = 0

    init(stats: LoadStats, host: String, stream: String) {
        self.stats = stats
        self.host = host
        self.stream = stream
    }

    func channelActive(context: ChannelHandlerContext) {
        let request =
            "GET /ws HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stats.state.withLock { $0.closed += 1 }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stats.state.withLock { $0.failed += 1 }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        if !isOpen {
            let view = buffer.readableBytesView
            guard let end = view.firstRange(of: [13, 10, 13, 10]) else { return }
            let headLength = end.upperBound - view.startIndex
            let head = buffer.readString(length: headLength) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                stats.state.withLock { $0.failed += 1 }
                context.close(promise: nil)
                return
            }
            isOpen = true
            stats.state.withLock { $0.connected += 1 }
            send(context: context, opcode: 0x1, payload: ByteBuffer(string: "{\"op\":\"subscribe\",\"stream\":\"\(stream)\"}"))
        }
        parseFrames(context: context)
        buffer.discardReadBytes()
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
            case 0x1: handleText(payload)
            case 0x9: send(context: context, opcode: 0xA, payload: payload)
            case 0x8:
                send(context: context, opcode: 0x8, payload: payload)
                context.close(promise: nil)
            default: break
            }
        }
    }

    private func handleText(_ payload: ByteBuffer) {
        let view = payload.readableBytesView
        if view.starts(with: Array("{\"op\":\"subscribed\"".utf8)) {
            stats.state.withLock { $0.subscribed += 1 }
            return
        }
        guard let sequence = Self.integer(after: Array("\"seq\":".utf8), in: view),
            let sentAt = Self.integer(after: Array("\"sentAt\":".utf8), in: view)
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

    static func integer(after key: [UInt8], in view: ByteBufferView) -> Int? {
        guard let range = view.firstRange(of: key) else { return nil }
        var value = 0
        var index = range.upperBound
        var digits = 0
        while index < view.endIndex, view[index] >= 48, view[index] <= 57 {
            value = value * 10 + Int(view[index] - 48)
            index += 1
            digits += 1
        }
        return digits > 0 ? value : nil
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
