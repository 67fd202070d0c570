import Bus
import NIOCore
import Payloads

/// One bus message prepared for every protocol its subscribers speak: the WebSocket text frame
/// payload is the envelope exactly as published (the same storage, never re-encoded); the SSE
/// event (one per set of streams its readers read: its id carries their positions), the Socket.IO
/// packet and the complete WebSocket frames (header and payload, what a socket writes) are built
/// the first time a subscriber needs them, once, and then shared. `ByteBuffer` storage is shared
/// copy-on-write and never written to after this point.
///
/// Not thread-safe on its own: the hub creates and reads it only under its lock.
final class PreparedMessage {
    let stream: StreamName
    let id: BusMessageID
    /// The WebSocket text frame payload.
    let webSocketPayload: ByteBuffer
    /// Every stream's position when this message was relayed, set by the hub before the first
    /// SSE subscriber gets it: a live SSE subscriber has been sent exactly these.
    var positions: StreamPositions?
    private var preparedSSEEvents: [(streams: StreamSet, event: ByteBuffer)] = []
    private var preparedSocketIOPacket: ByteBuffer?
    /// Whole frames per format, one copy per event loop (see `webSocketFrame(for:on:)`).
    private var preparedWebSocketFrames: [(loop: ObjectIdentifier, frame: ByteBuffer)] = []
    private var preparedSocketIOFrames: [(loop: ObjectIdentifier, frame: ByteBuffer)] = []

    init(_ message: BusMessage) {
        self.stream = message.stream
        self.id = message.id
        self.webSocketPayload = message.envelope
    }

    /// `id: <positions>\nevent: <name>\ndata: <envelope>\n\n` for a connection reading
    /// `streams`: the id carries the position of each of them (`StreamPositions`); the name is
    /// ``sseEventName(of:)``'s.
    func sseEvent(for streams: StreamSet) -> ByteBuffer {
        for entry in preparedSSEEvents where entry.streams == streams { return entry.event }
        var positions = self.positions ?? StreamPositions()
        positions[stream] = id
        let name = Self.sseEventName(of: BusMessage(stream: stream, id: id, envelope: webSocketPayload))
        let event = Self.sseEvent(id: positions.eventID(for: streams), event: name, data: webSocketPayload)
        preparedSSEEvents.append((streams, event))
        return event
    }

    /// The SSE event name of a message: its stream's name for data; `<stream>-state` for a
    /// `stream-state` envelope, so that a client listening to `<stream>` events (every one of them
    /// data until states existed) does not take a state for data.
    static func sseEventName(of message: BusMessage) -> String {
        message.isStreamState ? "\(message.stream.rawValue)-state" : message.stream.rawValue
    }

    /// `42/aws-realtime,["<stream>-update",{timestamp, data, type, account, region, id}]` (`-state`
    /// for a state).
    var socketIOPacket: ByteBuffer {
        if let preparedSocketIOPacket { return preparedSocketIOPacket }
        let packet = SocketIOFrames.streamEvent(stream: stream, id: id, envelope: webSocketPayload)
        preparedSocketIOPacket = packet
        return packet
    }

    /// The buffer a client of `format` gets; an SSE client reading `streams`.
    func payload(for format: ClientOutbox.Format, streams: StreamSet) -> ByteBuffer {
        switch format {
        case .webSocket: webSocketPayload
        case .serverSentEvents: sseEvent(for: streams)
        case .socketIO: socketIOPacket
        }
    }

    /// The whole WebSocket text frame carrying `payload(for: format)`, for a client on a WebSocket
    /// served by `loop`. Each event loop gets its own copy of the bytes: every write takes a
    /// reference to the frame's storage, and thousands of sockets on two loops (two cores)
    /// counting references on one shared storage would bounce its cache line between the cores
    /// on every write. A copy per loop keeps those counts on the core that writes.
    func webSocketFrame(for format: ClientOutbox.Format, on loop: any EventLoop) -> ByteBuffer {
        let key = ObjectIdentifier(loop)
        switch format {
        case .webSocket, .serverSentEvents:
            // SSE is never served on a WebSocket: its format falls back to the envelope.
            return Self.frame(in: &preparedWebSocketFrames, for: key) { WebSocketTextFrame.encode(webSocketPayload) }
        case .socketIO:
            return Self.frame(in: &preparedSocketIOFrames, for: key) { WebSocketTextFrame.encode(socketIOPacket) }
        }
    }

    private static func frame(
        in frames: inout [(loop: ObjectIdentifier, frame: ByteBuffer)], for loop: ObjectIdentifier, encode: () -> ByteBuffer
    ) -> ByteBuffer {
        for entry in frames where entry.loop == loop { return entry.frame }
        let frame: ByteBuffer
        if let first = frames.first?.frame {
            var copy = ByteBufferAllocator().buffer(capacity: first.readableBytes)
            copy.writeImmutableBuffer(first)
            frame = copy
        } else {
            frame = encode()
        }
        frames.append((loop, frame))
        return frame
    }

    /// An SSE event; `data` spanning several lines becomes several `data:` lines, as the spec says.
    static func sseEvent(id: String?, event: String, data: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.readableBytes + (id?.utf8.count ?? 0) + event.utf8.count + 32)
        if let id {
            buffer.writeString("id: ")
            buffer.writeString(id)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        buffer.writeString("event: ")
        buffer.writeString(event)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let view = data.readableBytesView
        var lineStart = view.startIndex
        var index = view.startIndex
        while index < view.endIndex {
            let byte = view[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                buffer.writeString("data: ")
                buffer.writeBytes(view[lineStart..<index])
                buffer.writeInteger(UInt8(ascii: "\n"))
                lineStart = view.index(after: index)
            }
            index = view.index(after: index)
        }
        buffer.writeString("data: ")
        buffer.writeBytes(view[lineStart..<view.endIndex])
        buffer.writeString("\n\n")
        return buffer
    }
}
