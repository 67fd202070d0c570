import Bus
import Foundation
import Gateway
import JWTKit
import Logging
import NIOCore
import Payloads
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A gateway on 127.0.0.1 (a free port) over an `InProcessBus` the test publishes to.
struct RunningGateway: Sendable {
    let port: Int
    let bus: InProcessBus
    let metrics: GatewayMetrics
    static let token = "test-publisher"

    var webSocketURL: String { "ws://127.0.0.1:\(port)/ws" }

    struct Sample: Codable, Sendable {
        var seq: Int
        var pad: String
    }

    /// Publishes `count` envelopes on `stream`; returns their ids in order.
    @discardableResult
    func publish(_ count: Int, to stream: StreamName = .metrics, padding: Int = 0, type: String? = nil) async throws
        -> [BusMessageID]
    {
        var ids: [BusMessageID] = []
        let pad = String(repeating: "p", count: padding)
        for index in 0..<count {
            let envelope = Envelope(
                stream: stream, type: type ?? stream.dataType, epoch: 1, timestamp: Date(), account: "123456789012",
                region: "eu-west-1", data: Sample(seq: index, pad: pad))
            guard
                case .published(let id) = try await bus.publish(
                    try EncodedEnvelope(envelope), to: stream, cursor: nil, token: Self.token)
            else {
                throw HarnessError(message: "publish fenced")
            }
            ids.append(id)
        }
        return ids
    }

    /// Publishes a `stream-state` envelope on `stream` as the worker does (`StreamPoller`); its id.
    @discardableResult
    func publish(state: StreamStateData, to stream: StreamName) async throws -> BusMessageID {
        guard
            case .published(let id) = try await bus.publish(
                try EncodedEnvelope.streamState(state, of: stream), to: stream, cursor: nil, token: Self.token)
        else {
            throw HarnessError(message: "publish fenced")
        }
        return id
    }

    func listeners(_ stream: StreamName = .metrics) async throws -> Int {
        try await bus.listenerCounts(of: [stream])[stream] ?? 0
    }
}

extension EncodedEnvelope {
    /// The `stream-state` envelope the worker publishes when `stream`'s state changes.
    static func streamState(_ state: StreamStateData, of stream: StreamName) throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: stream, type: StreamStateData.type, epoch: 1, timestamp: Date(), account: "123456789012",
                region: "eu-west-1", data: state))
    }

    /// AWS Health refused to an account without a Business support plan, tried again in an hour.
    static let unavailableHealth = StreamStateData(
        state: "unavailable", since: "2026-11-27T12:00:00.000Z", operation: "DescribeEvents",
        code: "SubscriptionRequiredException", message: "The AWS Premium Support subscription is required to use this service.",
        retryAt: "2026-11-27T13:00:00.000Z")
}

extension RunningGateway: GatewayEndpoint {}

/// Runs `body` against a gateway started for it, then stops the gateway.
func withGateway(
    _ configuration: GatewayConfiguration = GatewayConfiguration(auth: .init(mode: .anonymous)),
    bus busConfiguration: InProcessBus.Configuration = .init(),
    port: Int = 0,
    now: @escaping @Sendable () -> Date = { Date() },
    _ body: @Sendable (RunningGateway) async throws -> Void
) async throws {
    try await withGateway(
        configuration, bus: busConfiguration, port: port, now: now, subscriber: { $0 }, body)
}

/// The same, with the gateway reading the bus through `wrap` (a test's stand-in that can fail).
func withGateway<Wrapped: SubscriberBus>(
    _ configuration: GatewayConfiguration = GatewayConfiguration(auth: .init(mode: .anonymous)),
    bus busConfiguration: InProcessBus.Configuration = .init(),
    port: Int = 0,
    now: @escaping @Sendable () -> Date = { Date() },
    subscriber wrap: (InProcessSubscriber) -> Wrapped,
    _ body: @Sendable (RunningGateway) async throws -> Void
) async throws {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = port
    let bus = InProcessBus(configuration: busConfiguration)
    let inProcess = bus.makeSubscriber()
    defer { inProcess.close() }
    let subscriber = wrap(inProcess)
    let metrics = GatewayMetrics()
    var logger = Logger(label: "gateway-test")
    logger.logLevel = .warning
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let gateway = Gateway(
        bus: subscriber, configuration: configuration, metrics: metrics, logger: logger, now: now,
        onListening: { portContinuation.yield($0) })
    _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await gateway.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError(message: "gateway did not start") }
        defer { group.cancelAll() }
        try await body(RunningGateway(port: port, bus: bus, metrics: metrics))
    }
}

/// What a graceful shutdown under test did.
struct GatewayShutdown: Sendable {
    /// The WebSocket client that was subscribed when the shutdown began, once it has exited.
    let client: ScriptedClient
    /// From the shutdown's trigger to the gateway's `run()` returning.
    let duration: Duration
    /// Whether the gateway stopped by itself within the bound (20 s).
    let stoppedInTime: Bool
    /// With an idle connection: whether the gateway closed it (rather than the test, at the bound).
    let closedIdleConnection: Bool?
}

/// Starts a gateway in a `ServiceGroup`, connects a subscribed client (and, with
/// `idleConnection`, a TCP connection that sends nothing), triggers graceful shutdown and returns
/// once the gateway has stopped and the client exited. Bounded: a gateway still running 20 s
/// after the trigger is unblocked by closing the idle connection from the test side, and the
/// result says so.
func withGatewayShutdown(
    idleConnection: Bool = false,
    _ script: String = "ws_client",
    arguments: @escaping @Sendable (Int) -> [String] = { port in
        [
            "ws://127.0.0.1:\(port)/ws", "send:{\"op\":\"subscribe\",\"stream\":\"aws-metrics\"}", "until:subscribed",
            "wait-close",
        ]
    },
    ready: @escaping @Sendable ([String: Any]) -> Bool = { ($0["recv"] as? String)?.contains("subscribed") == true }
) async throws -> GatewayShutdown {
    let bus = InProcessBus()
    let subscriber = bus.makeSubscriber()
    defer { subscriber.close() }
    var logger = Logger(label: "gateway-test")
    logger.logLevel = .warning
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let gateway = Gateway(
        bus: subscriber, configuration: GatewayConfiguration(host: "127.0.0.1", port: 0, auth: .init(mode: .anonymous)),
        logger: logger, onListening: { portContinuation.yield($0) })
    let group = ServiceGroup(services: [gateway], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Bool.self) { tasks in
        tasks.addTask {
            try await group.run()
            return true
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError(message: "gateway did not start") }
        let client = try ScriptedClient(script, arguments(port))
        _ = try await client.waitFor("subscribed", ready)
        let idle = idleConnection ? try await IdleTCPConnection.open(port: port) : nil
        // Let the server accept it and set its pipeline up before the shutdown begins.
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        tasks.addTask {
            try await Task.sleep(for: .seconds(20))
            return false
        }
        let stoppedInTime = try await tasks.next() ?? false
        let duration = clock.now - start
        // The gateway closed it before returning; the client side learns of the FIN a moment
        // later on its own event loop (waited for at most 2 s, before the test closes it).
        if let idle {
            let deadline = clock.now.advanced(by: .seconds(2))
            while idle.isOpen, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        }
        let closedIdleConnection = idle.map { !$0.isOpen }
        await idle?.close()
        if !stoppedInTime { _ = try await tasks.next() }
        tasks.cancelAll()
        try await client.waitForExit()
        return GatewayShutdown(
            client: client, duration: duration, stoppedInTime: stoppedInTime, closedIdleConnection: closedIdleConnection)
    }
}
