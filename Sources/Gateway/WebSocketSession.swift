import Bus
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Payloads

/// One WebSocket client, run in its connection's own handler task: reads client messages,
/// subscribes through the hub, and closes when the gateway asks (slow consumer, token expiry,
/// drain) with the right code and reason.
struct WebSocketSession<Bus: SubscriberBus>: Sendable {
    let hub: GatewayHub<Bus>
    let grant: GatewayGrant
    let tokenLifetime: Duration?
    let channel: any Channel
    let logger: Logger

    private var limits: GatewayConfiguration.Limits { hub.configuration.limits }
    private var metrics: GatewayMetrics { hub.metrics }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let connection = GatewayConnection(
            format: .webSocket, transport: .channel(channel), limits: hub.connectionLimits, metrics: metrics)
        guard hub.admit(connection) else {
            GatewayMetrics.add(metrics.connectionLimitRefusals)
            try? await outbound.close(.unknown(1013), reason: "connection limit reached; try again later")
            return
        }
        GatewayMetrics.add(metrics.webSocketConnections)
        defer {
            hub.remove(connection)
            GatewayMetrics.add(metrics.webSocketConnections, -1)
        }
        var connectionLogger = logger
        connectionLogger[metadataKey: "ws.connection.id"] = "\(connection.id)"
        let logger = connectionLogger
        logger.debug("WebSocket connected")

        try await withThrowingTaskGroup(of: Void.self) { group in
            // Closes when the gateway asks: the close frame if the socket takes it in time, else a cut.
            group.addTask {
                guard let reason = await connection.closeRequested() else { return }
                logger.debug("Closing WebSocket", metadata: ["ws.close.reason": "\(reason.text)"])
                await Self.close(outbound: outbound, channel: channel, reason: reason)
            }
            if let tokenLifetime {
                group.addTask {
                    try await Task.sleep(for: tokenLifetime)
                    GatewayMetrics.add(metrics.tokenExpiries)
                    connection.requestClose(.tokenExpired)
                }
            }
            defer { group.cancelAll() }
            try await readMessages(inbound: inbound, connection: connection)
            // When the gateway asked to close, let the close frame go out before returning:
            // returning first would close the socket with 1000 instead of the reason.
            if connection.isCloseRequested { _ = try? await group.next() }
        }
    }

    /// Sends the close frame; a socket that does not take it within two seconds is closed.
    static func close(outbound: WebSocketOutboundWriter, channel: any Channel, reason: CloseReason) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await outbound.close(reason.code, reason: reason.text) }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                if !Task.isCancelled { channel.close(promise: nil) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func readMessages(inbound: WebSocketInboundStream, connection: GatewayConnection) async throws {
        var iterator = inbound.messages(maxSize: limits.maxInboundFrameBytes).makeAsyncIterator()
        let clock = ContinuousClock()
        var limiter = InboundRateLimiter(messagesPerSecond: limits.inboundMessagesPerSecond, now: clock.now)
        var strikes = 0
        var subscriptions: Set<StreamName> = []
        while let message = try await iterator.next() {
            guard limiter.allow(at: clock.now) else {
                GatewayMetrics.add(metrics.rateLimited)
                strikes += 1
                if strikes > limiter.strikeLimit {
                    connection.requestClose(.rateLimited)
                    continue
                }
                if strikes == 1 { reply(.rateLimited, to: connection) }
                continue
            }
            strikes = 0
            let parsed: Result<ClientMessage, ClientProtocolError>
            switch message {
            case .text(let text): parsed = ClientMessage.parse(ByteBuffer(string: text))
            case .binary: parsed = .failure(.binaryFrame)
            }
            switch parsed {
            case .failure(let error):
                reply(error, to: connection)
            case .success(.ping):
                connection.send(ControlMessage.pong)
            case .success(.subscribe(let stream, let since)):
                if !grant.allows(stream) {
                    reply(.forbidden(stream), to: connection)
                } else if subscriptions.contains(stream) {
                    reply(.alreadySubscribed(stream), to: connection)
                } else if subscriptions.count >= limits.maxSubscriptionsPerConnection {
                    reply(.tooManySubscriptions(limits.maxSubscriptionsPerConnection), to: connection)
                } else {
                    do {
                        try await hub.subscribe(connection, to: stream, since: since) { start in
                            connection.send(ControlMessage.subscribed(stream, snapshot: start.snapshot?.envelope))
                            for message in start.resume { connection.send(message.envelope) }
                        }
                        subscriptions.insert(stream)
                    } catch {
                        reply(error, to: connection)
                    }
                }
            case .success(.unsubscribe(let stream)):
                if hub.unsubscribe(connection, from: stream) {
                    subscriptions.remove(stream)
                    connection.send(ControlMessage.unsubscribed(stream))
                } else {
                    reply(.notSubscribed(stream), to: connection)
                }
            }
        }
    }

    private func reply(_ error: ClientProtocolError, to connection: GatewayConnection) {
        GatewayMetrics.add(metrics.clientErrors)
        hub.send(error, to: connection)
    }
}
