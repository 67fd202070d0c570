import Bus
import Hummingbird
import Logging
import NIOCore
import NIOWebSocket
import Payloads

/// One SSE client, run in its response body's task: subscribes to the requested streams, then
/// writes whatever the hub queued (a batch per wake-up), a comment heartbeat when idle, and ends
/// the response when the gateway closes the connection (slow consumer, token expiry, drain).
struct ServerSentEventsSession<Bus: SubscriberBus>: Sendable {
    let hub: GatewayHub<Bus>
    let streams: [StreamName]
    let since: BusMessageID?
    let tokenLifetime: Duration?
    let logger: Logger

    static var heartbeat: ByteBuffer { ByteBuffer(string: ": heartbeat\n\n") }

    func run(writer: inout any ResponseBodyWriter) async throws {
        let metrics = hub.metrics
        let connection = GatewayConnection(
            format: .serverSentEvents, transport: .pull, limits: hub.connectionLimits, metrics: metrics)
        guard hub.admit(connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            return
        }
        GatewayMetrics.add(metrics.sseConnections)
        defer {
            hub.remove(connection)
            GatewayMetrics.add(metrics.sseConnections, -1)
        }
        let hub = self.hub
        let streams = self.streams
        let since = self.since
        let heartbeatInterval = hub.configuration.sseHeartbeatInterval
        try await writer.write(ByteBuffer(string: ": connected\nretry: 2000\n\n"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for stream in streams {
                    do throws(ClientProtocolError) {
                        try await hub.subscribe(connection, to: stream, since: since) { start in
                            if let snapshot = start.snapshot { connection.send(PreparedMessage(snapshot).sseEvent) }
                            for message in start.resume { connection.send(PreparedMessage(message).sseEvent) }
                        }
                    } catch {
                        GatewayMetrics.add(metrics.clientErrors)
                        hub.send(error, to: connection)
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: heartbeatInterval)
                    connection.send(Self.heartbeat)
                }
            }
            if let tokenLifetime {
                group.addTask {
                    try await Task.sleep(for: tokenLifetime)
                    GatewayMetrics.add(metrics.tokenExpiries)
                    connection.requestClose(.tokenExpired)
                }
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
