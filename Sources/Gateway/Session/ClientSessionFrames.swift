import Bus
import NIOCore
import Payloads

/// How one protocol writes what a ``ClientSession`` tells its client: the frames of `/ws`'s JSON
/// ops, of Socket.IO's events, or of Server-Sent Events. The session decides what to send and
/// when; the frames only say how it looks on the wire.
///
/// Live messages do not pass through here: the hub prepares each once per format for every
/// subscriber (``PreparedMessage``). What does is what one client is sent alone: the
/// confirmation and snapshot of its subscribe, the history of its resume and the messages held
/// while it caught up, and the answers to its ops.
protocol ClientSessionFrames {
    /// What confirms a subscribe to `stream` and shows its snapshot (nil when resuming, or when
    /// nothing is stored), queued before any message of the stream.
    mutating func subscribed(_ stream: StreamName, snapshot: StreamSnapshot?) -> [ByteBuffer]

    /// One message of a subscribed stream read from history or held while catching up: data, or
    /// a target's `stream-state` envelope.
    mutating func message(_ message: BusMessage) -> ByteBuffer

    /// What confirms an unsubscribe from `stream`.
    mutating func unsubscribed(_ stream: StreamName) -> [ByteBuffer]

    /// Why an op was refused, or why a stream of a subscribe failed to start.
    mutating func refused(_ error: ClientProtocolError) -> [ByteBuffer]

    /// What the client is told during a subscribe that goes on (`resync-required`: its resume
    /// point is older than the history kept, and the stream starts again from its snapshot).
    func notice(_ error: ClientProtocolError) -> ByteBuffer
}

extension ClientSessionFrames {
    /// Tells the client on `connection` why a message was refused (counted in
    /// `gateway_client_errors_total`): for a session's ops, and for what comes before a client
    /// has one or while a subscribe's task holds it (a malformed Socket.IO event, the rate
    /// limit's warning).
    mutating func refuse(_ error: ClientProtocolError, on connection: ClientOutbox, metrics: GatewayMetrics) {
        GatewayMetrics.add(metrics.clientErrors)
        connection.send(contentsOf: refused(error))
    }
}
