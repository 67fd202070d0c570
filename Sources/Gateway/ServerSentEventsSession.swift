import Bus
import Hummingbird
import Logging
import NIOCore
import NIOWebSocket
import Payloads
import TextFormats

/// One SSE client, run in its response body's task: subscribes to the requested streams, then
/// writes whatever the hub queued (a batch per wake-up), a comment heartbeat when idle, and ends
/// the response when the gateway closes the connection (slow consumer, token expiry, drain).
///
/// Data is an event named after its stream (`event: aws-health`), a `stream-state` envelope one
/// named `<stream>-state` (`PreparedMessage.sseEventName(of:)`); a snapshot is the latest data of
/// each (account, region) the client sees, and a target's state when it is not live, oldest first.
/// `accounts=` and `regions=` narrow what it is sent (``TargetFilter``). Every event's id carries the position of each of the connection's streams
/// (`StreamPositions`): a client that reconnects with it as `Last-Event-ID` resumes each stream
/// from where it stood, and a stream whose position fell out of history gets `resync-required`
/// (an `error` event naming it) and its snapshot, alone.
struct ServerSentEventsSession<Source: SubscriberBus>: Sendable {
    let hub: GatewayHub<Source>
    /// The token's grant: what the streams and `targets` were checked against.
    let grant: GatewayGrant
    let streams: [StreamName]
    /// The accounts and regions it is sent (`accounts=`, `regions=`, within the token's claims).
    var targets = TargetFilter.everything
    /// Where the client stands (`Last-Event-ID`, or `since`); nil: every stream starts from its snapshot.
    let resumePoint: StreamPositions.ResumePoint?
    let tokenLifetime: Duration?
    /// The request's channel: its close (the client left or half-closed it) ends the stream at once.
    let channel: any Channel
    let logger: Logger

    static var heartbeat: ByteBuffer { ByteBuffer(string: ": heartbeat\n\n") }

    func run(writer: inout any ResponseBodyWriter) async throws {
        let metrics = hub.metrics
        let connection = ClientOutbox(
            format: .serverSentEvents, delivery: .pull, limits: hub.connectionLimits, metrics: metrics)
        guard hub.admit(connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return
        }
        GatewayMetrics.add(metrics.sseConnections)
        channel.closeFuture.whenComplete { [weak connection] _ in connection?.requestClose(.clientClosed) }
        defer {
            hub.remove(connection)
            GatewayMetrics.add(metrics.sseConnections, -1)
        }
        let hub = self.hub
        let streams = self.streams
        let resumePoint = self.resumePoint
        let targets = self.targets
        let grant = self.grant
        let heartbeatInterval = hub.configuration.sseHeartbeatInterval
        try await writer.write(ByteBuffer(string: ": connected\nretry: 2000\n\n"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var session = ClientSession(hub: hub, connection: connection, grant: grant)
                var frames = ServerSentEventsFrames(streams: streams, resumePoint: resumePoint)
                await session.subscribe(
                    streams.map { .init(stream: $0, since: resumePoint?.since($0)) }, requesting: targets, frames: &frames)
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: heartbeatInterval)
                    connection.send(Self.heartbeat)
                }
            }
            if let tokenLifetime {
                connection.closeWhenTokenExpires(in: tokenLifetime, on: channel.eventLoop, metrics: metrics)
            }
            defer { group.cancelAll() }
            while let batch = await connection.nextBatch() {
                try await writer.write(contentsOf: batch)
            }
            if let reason = connection.closeReason {
                logger.debug("Ending SSE stream", metadata: ["sse.close.reason": "\(reason.text)"])
                let event = PreparedMessage.sseEvent(
                    id: nil, event: "close",
                    data: ByteBuffer(
                        string:
                            "{\"op\":\"close\",\"code\":\(UInt16(webSocketErrorCode: reason.code)),\"reason\":\(JSONString.literal(reason.text))}"
                    ))
                try? await writer.write(event)
            }
        }
    }
}
