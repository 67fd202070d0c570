import Bus
import Payloads
import Synchronization
import TextFormats

/// Counters and gauges of one gateway process, rendered as Prometheus text at `/metrics`.
///
/// Plain atomics: the hot path adds to them without locks or allocation.
public final class GatewayMetrics: Sendable {
    let webSocketConnections = Atomic<Int>(0)
    let sseConnections = Atomic<Int>(0)
    let socketIOConnections = Atomic<Int>(0)
    /// Connection objects alive (open, closing, or not yet released): a leak shows here.
    let connectionObjects = Atomic<Int>(0)
    let socketIOUpgrades = Atomic<Int>(0)
    let messagesRelayed = Atomic<Int>(0)
    let deliveries = Atomic<Int>(0)
    let bytesQueued = Atomic<Int>(0)
    let slowClientDisconnects = Atomic<Int>(0)
    let authFailures = Atomic<Int>(0)
    let originRefusals = Atomic<Int>(0)
    let connectionLimitRefusals = Atomic<Int>(0)
    let handshakeBudgetRefusals = Atomic<Int>(0)
    let hostRefusals = Atomic<Int>(0)
    let tokenExpiries = Atomic<Int>(0)
    let clientErrors = Atomic<Int>(0)
    let rateLimited = Atomic<Int>(0)
    let busGaps = Atomic<Int>(0)
    let busResubscribes = Atomic<Int>(0)
    let busErrors = Atomic<Int>(0)
    let recoveredMessages = Atomic<Int>(0)
    let resyncsRequired = Atomic<Int>(0)

    public init() {}

    static func add(_ counter: borrowing Atomic<Int>, _ value: Int = 1) {
        counter.wrappingAdd(value, ordering: .relaxed)
    }

    /// The Prometheus text exposition (version 0.0.4).
    func render(
        subscriptions: [StreamName: Int], busSubscribed: Set<StreamName>, isBusConnected: Bool, pendingHandshakes: Int,
        busDrops: [BusDropReason: Int] = [:]
    ) -> String {
        var out = PrometheusText()
        func metric(_ name: String, _ type: PrometheusText.MetricType, _ help: String, _ samples: [(String, Int)]) {
            out.append(name, type, help: help, samples.map { (labels: $0.0, value: String($0.1)) })
        }
        func load(_ atomic: borrowing Atomic<Int>) -> Int { atomic.load(ordering: .relaxed) }
        metric(
            "gateway_connections", .gauge, "Open client connections.",
            [
                ("protocol=\"websocket\"", load(webSocketConnections)), ("protocol=\"sse\"", load(sseConnections)),
                ("protocol=\"socketio\"", load(socketIOConnections)),
            ])
        metric(
            "gateway_connection_objects", .gauge,
            "Connection objects in memory, open or on their way out: above gateway_connections only while sockets close.",
            [("", load(connectionObjects))])
        metric(
            "gateway_socketio_upgrades_total", .counter, "Socket.IO sessions upgraded from long-polling to WebSocket.",
            [("", load(socketIOUpgrades))])
        metric(
            "gateway_subscriptions", .gauge, "Client subscriptions by stream.",
            StreamName.allCases.map { ("stream=\"\($0.rawValue)\"", subscriptions[$0] ?? 0) })
        metric(
            "gateway_bus_connected", .gauge, "1 while the bus connection is up and resubscribed.",
            [("", isBusConnected ? 1 : 0)])
        metric(
            "gateway_bus_subscribed", .gauge, "1 while the stream is subscribed in the bus.",
            StreamName.allCases.map { ("stream=\"\($0.rawValue)\"", busSubscribed.contains($0) ? 1 : 0) })
        metric("gateway_messages_relayed_total", .counter, "Bus messages relayed (each once).", [("", load(messagesRelayed))])
        metric("gateway_deliveries_total", .counter, "Messages queued to client sockets.", [("", load(deliveries))])
        metric("gateway_delivered_bytes_total", .counter, "Payload bytes queued to client sockets.", [("", load(bytesQueued))])
        metric(
            "gateway_slow_client_disconnects_total", .counter, "Clients cut because their outbound queue was full.",
            [("", load(slowClientDisconnects))])
        metric(
            "gateway_auth_failures_total", .counter, "Connections refused for a missing or invalid token.",
            [("", load(authFailures))])
        metric("gateway_origin_refusals_total", .counter, "Connections refused for their Origin.", [("", load(originRefusals))])
        metric(
            "gateway_connection_limit_refusals_total", .counter, "Connections refused at the connection limit.",
            [("", load(connectionLimitRefusals))])
        metric(
            "gateway_handshake_budget_refusals_total", .counter,
            "Socket.IO handshakes refused because too many were waiting for their CONNECT (in total or from one address).",
            [("", load(handshakeBudgetRefusals))])
        metric(
            "gateway_pending_handshakes", .gauge, "Socket.IO sessions waiting for their CONNECT (not yet authenticated).",
            [("", pendingHandshakes)])
        metric(
            "gateway_host_refusals_total", .counter, "Requests refused with 421 for a Host this gateway does not serve.",
            [("", load(hostRefusals))])
        metric(
            "gateway_token_expiries_total", .counter, "Connections closed when their token expired.", [("", load(tokenExpiries))]
        )
        metric("gateway_client_errors_total", .counter, "Error messages sent for bad client input.", [("", load(clientErrors))])
        metric("gateway_rate_limited_total", .counter, "Inbound messages refused by the rate limit.", [("", load(rateLimited))])
        metric("gateway_bus_gaps_total", .counter, "Gaps reported by the bus subscription.", [("", load(busGaps))])
        metric(
            "gateway_bus_resubscribes_total", .counter, "Streams resubscribed after silence (dead subscription).",
            [("", load(busResubscribes))])
        metric("gateway_bus_errors_total", .counter, "Failed bus calls.", [("", load(busErrors))])
        metric(
            "gateway_bus_messages_dropped_total", .counter,
            "Messages on the bus's channels that were not envelopes, by reason (each reason logged at most once a minute).",
            BusDropReason.allCases.map { ("reason=\"\($0)\"", busDrops[$0] ?? 0) })
        metric(
            "gateway_recovered_messages_total", .counter, "Messages read back from history after a gap.",
            [("", load(recoveredMessages))])
        metric(
            "gateway_resyncs_required_total", .counter, "Clients told to resync (resume point gone).",
            [("", load(resyncsRequired))])
        return out.text
    }
}
