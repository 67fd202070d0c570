import Bus
import NIOCore
import Payloads

/// Server-Sent Events' frames: each message an event named after its stream (`event:
/// aws-health`, a `stream-state` envelope `<stream>-state`) whose id carries the position of
/// every stream of the connection (``StreamPositions``), so that a client reconnecting with it as
/// `Last-Event-ID` resumes each stream where it stood. A refusal is an `error` event without an id.
///
/// It keeps what this client was sent of each stream until the streams go live; from then on the
/// hub's prepared events carry the same positions.
struct ServerSentEventsFrames: ClientSessionFrames {
    private var positions = StreamPositions()
    /// The streams whose positions the event ids carry: every stream asked for, less those that
    /// failed to start.
    private var eventStreams: StreamSet

    /// Frames for a client of `streams` resuming from `resumePoint` (nil: from their snapshots).
    init(streams: [StreamName], resumePoint: StreamPositions.ResumePoint?) {
        eventStreams = StreamSet(streams)
        for stream in streams { positions[stream] = resumePoint?.since(stream) }
    }

    /// No confirmation: the snapshot's events, and the stream's position past what the reader's
    /// filter left out of it too.
    mutating func subscribed(_ stream: StreamName, snapshot: StreamSnapshot?) -> [ByteBuffer] {
        guard let snapshot else {
            // Nothing stored yet: everything stored from now on is new to this client.
            if positions[stream] == nil { positions[stream] = .zero }
            return []
        }
        let events = snapshot.messages.map { message($0) }
        if let position = snapshot.position { positions[stream] = max(positions[stream] ?? .zero, position) }
        return events
    }

    mutating func message(_ message: BusMessage) -> ByteBuffer {
        positions[message.stream] = message.id
        return PreparedMessage.sseEvent(
            id: positions.eventID(for: eventStreams), event: PreparedMessage.sseEventName(of: message),
            data: message.envelope)
    }

    /// SSE has no unsubscribe: a client ends its request.
    func unsubscribed(_ stream: StreamName) -> [ByteBuffer] {
        []
    }

    /// A stream that failed to start leaves the event ids.
    mutating func refused(_ error: ClientProtocolError) -> [ByteBuffer] {
        if let stream = error.stream { eventStreams.remove(StreamSet([stream])) }
        return [notice(error)]
    }

    func notice(_ error: ClientProtocolError) -> ByteBuffer {
        Self.errorEvent(error)
    }

    /// An `error` event without an id, carrying `/ws`'s error control message.
    static func errorEvent(_ error: ClientProtocolError) -> ByteBuffer {
        PreparedMessage.sseEvent(id: nil, event: "error", data: ControlMessage.error(error))
    }
}
