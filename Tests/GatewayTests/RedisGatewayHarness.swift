import Bus
import Foundation
import Gateway
import Logging
import Payloads
import Redis
import TestSupport

/// A gateway on the real `RedisSubscriberBus`, wired as `GatewayCommand` wires it (one command
/// client and one pub/sub subscriber on the same configuration), and a publisher writing to the
/// same `redis-server` the way the worker does (`RedisPublisherBus`, under a lease). All on
/// 127.0.0.1; the server persists every write (AOF, fsync always) so its log survives a kill.
struct RedisRunningGateway: GatewayEndpoint {
    let port: Int
    let server: RedisServerProcess
    let publisher: RedisPublisherBus
    let publisherClient: RedisClient
    let metrics: GatewayMetrics
    static let token = "test-worker"
    static let keys = RedisBusKeys(prefix: "gateway-test:")

    var webSocketURL: String { "ws://127.0.0.1:\(port)/ws" }

    /// Publishes one small envelope on `stream` under the lease; its id. Throws while Redis is down.
    func publish(seq: Int, marker: String = "", to stream: StreamName = .metrics) async throws -> BusMessageID {
        let envelope = Envelope(
            stream: stream, type: stream.dataType, epoch: 1, timestamp: Date(), account: "123456789012",
            region: "eu-west-1", data: RunningGateway.Sample(seq: seq, pad: marker))
        switch try await publisher.publish(try EncodedEnvelope(envelope), to: stream, cursor: nil, token: Self.token) {
        case .published(let id): return id
        case .fenced: throw HarnessError(message: "publish fenced: the test publisher lost its lease")
        }
    }

    /// Publishes a `stream-state` envelope on `stream` under the lease, as the worker does; its id.
    func publish(state: StreamStateData, to stream: StreamName) async throws -> BusMessageID {
        switch try await publisher.publish(
            try EncodedEnvelope.streamState(state, of: stream), to: stream, cursor: nil, token: Self.token)
        {
        case .published(let id): return id
        case .fenced: throw HarnessError(message: "publish fenced: the test publisher lost its lease")
        }
    }

    /// Every id stored in the stream's log, oldest first (XRANGE - +).
    func storedIDs(of stream: StreamName = .metrics) async throws -> [BusMessageID] {
        try await publisherClient.xrange(Self.keys.log(stream), from: "-", to: "+", count: 100_000).compactMap {
            BusMessageID($0.id)
        }
    }
}

/// Starts `redis-server` (persistent), the gateway stack on it and a publisher holding the lease,
/// runs `body`, then stops them all, also when `body` throws. `gatewayReconnect` is the gateway's
/// Redis backoff (its client and subscriber share it, as in `GatewayCommand`); the publisher
/// reconnects within 20-200 ms.
func withRedisGateway(
    _ configuration: GatewayConfiguration = GatewayConfiguration(auth: .init(mode: .anonymous)),
    gatewayReconnect: RedisConfiguration.Reconnect,
    _ body: @Sendable (RedisRunningGateway) async throws -> Void
) async throws {
    let persistence = ["--appendonly", "yes", "--appendfsync", "always"]
    try await RedisServerProcess.withServer(.init(extraArguments: persistence)) { server in
        var logger = Logger(label: "gateway-redis-test")
        logger.logLevel = .warning
        let timeouts = RedisConfiguration.Timeouts(connect: .seconds(2), command: .seconds(5))
        let gatewayRedis = RedisConfiguration(
            host: "127.0.0.1", port: server.port, timeouts: timeouts, reconnect: gatewayReconnect)
        let publisherRedis = RedisConfiguration(
            host: "127.0.0.1", port: server.port, timeouts: timeouts,
            reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), multiplier: 2, jitter: 0.2))
        let client = RedisClient(configuration: gatewayRedis, logger: logger)
        let subscriber = RedisSubscriber(configuration: gatewayRedis, logger: logger)
        let bus = RedisSubscriberBus(
            subscriber: subscriber, client: client, keys: RedisRunningGateway.keys, logger: logger)
        let publisherClient = RedisClient(configuration: publisherRedis, logger: logger)
        let publisher = RedisPublisherBus(client: publisherClient, keys: RedisRunningGateway.keys, historyLength: 10_000)

        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let metrics = GatewayMetrics()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let gateway = Gateway(
            bus: bus, configuration: configuration, metrics: metrics, logger: logger,
            onListening: { portContinuation.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            group.addTask { try await subscriber.run() }
            group.addTask { await bus.run() }
            group.addTask { try await publisherClient.run() }
            group.addTask { try await gateway.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw HarnessError(message: "gateway did not start") }
            var epoch: Int64?
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while epoch == nil, ContinuousClock.now < deadline {
                epoch = try? await publisher.acquireLease(token: RedisRunningGateway.token, ttl: .seconds(3600))
                if epoch == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard epoch != nil else { throw HarnessError(message: "the test publisher could not take the lease in 10 s") }
            try await body(
                RedisRunningGateway(
                    port: port, server: server, publisher: publisher, publisherClient: publisherClient, metrics: metrics))
        }
    }
}
