import Bus
import NIOCore
import Payloads

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Socket.IO's frames for one event of the old NestJS gateway's protocol: the answer as an event
/// (`subscription-confirmed`, `unsubscription-confirmed`, `error`) and, when the client asked for
/// one, the same payload in the event's ack; a stream's messages as `<stream>-update` (data) and
/// `<stream>-state` events.
struct SocketIOSessionFrames: ClientSessionFrames {
    /// The ack id of the event answered, when the client asked for an ack.
    var ackID: Int?
    /// `subscribe-<stream>`'s `interval`, echoed in its confirmation (the worker polls on its own
    /// schedule; old front ends show it).
    var interval: Int?
    let now: Date

    /// The latest data of each account and region as `<stream>-update`, and a target's state as
    /// `<stream>-state` when it is not live, oldest first, after the confirmation.
    func subscribed(_ stream: StreamName, snapshot: StreamSnapshot?) -> [ByteBuffer] {
        let confirmation = SocketIOFrames.subscriptionConfirmation(stream: stream, interval: interval, now: now)
        return answer("subscription-confirmed", confirmation) + (snapshot?.messages ?? []).map(message)
    }

    func message(_ message: BusMessage) -> ByteBuffer {
        SocketIOFrames.streamEvent(stream: message.stream, id: message.id, envelope: message.envelope)
    }

    func unsubscribed(_ stream: StreamName) -> [ByteBuffer] {
        answer("unsubscription-confirmed", SocketIOFrames.unsubscriptionConfirmation(stream: stream, now: now))
    }

    /// An `error` event, and the same payload in the ack when the client asked for one.
    func refused(_ error: ClientProtocolError) -> [ByteBuffer] {
        var frames = [notice(error)]
        if let ackID { frames.append(SocketIOFrames.ack(ackID, json: "{\"error\":\(SocketIOFrames.errorPayload(error))}")) }
        return frames
    }

    /// An `error` event alone: the event's ack is its confirmation, which follows.
    func notice(_ error: ClientProtocolError) -> ByteBuffer {
        Self.errorEvent(error)
    }

    /// The `error` event.
    static func errorEvent(_ error: ClientProtocolError) -> ByteBuffer {
        SocketIOFrames.event("error", json: SocketIOFrames.errorPayload(error))
    }

    /// The event, and its ack when the client asked for one.
    private func answer(_ event: String, _ json: String) -> [ByteBuffer] {
        var frames = [SocketIOFrames.event(event, json: json)]
        if let ackID { frames.append(SocketIOFrames.ack(ackID, json: json)) }
        return frames
    }
}
