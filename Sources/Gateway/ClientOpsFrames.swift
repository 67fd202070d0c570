import Bus
import NIOCore
import Payloads

/// `/ws`'s frames: JSON control messages (``ControlMessage``) and envelopes as published.
///
/// A subscribe is confirmed by `subscribed`, which carries the snapshot's newest data as
/// `snapshot` (and all of it as `snapshots` when several accounts or regions have data); the
/// state envelope of each target that is not live follows it, as it came live.
struct ClientOpsFrames: ClientSessionFrames {
    func subscribed(_ stream: StreamName, snapshot: StreamSnapshot?) -> [ByteBuffer] {
        let data = snapshot?.data ?? []
        let confirmation = ControlMessage.subscribed(
            stream, snapshot: snapshot?.newestData?.envelope, snapshots: data.count > 1 ? data.map(\.envelope) : nil)
        return [confirmation] + (snapshot?.states ?? []).map(\.envelope)
    }

    func message(_ message: BusMessage) -> ByteBuffer {
        message.envelope
    }

    func unsubscribed(_ stream: StreamName) -> [ByteBuffer] {
        [ControlMessage.unsubscribed(stream)]
    }

    func refused(_ error: ClientProtocolError) -> [ByteBuffer] {
        [notice(error)]
    }

    func notice(_ error: ClientProtocolError) -> ByteBuffer {
        ControlMessage.error(error)
    }
}
