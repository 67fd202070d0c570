import BenchmarkSupport
import Bus
import Foundation
import Logging
import NIOCore
import NIOPosix
import Payloads
import Redis
import Synchronization

/// The publishing side of `--bus redis|cluster`: the product's own publish path
/// (`RedisPublisherBus` over a `RedisClient`, or over a `RedisClusterClient` with sharded pub/sub
/// on a cluster) sending `rate` envelopes a second on `aws-metrics`, each with `data.seq` and
/// `data.sentAt` (CLOCK_REALTIME) as FanoutGateway's in-process `BenchmarkPublisher` builds them.
///
/// Its Redis connections and its publishing task run on one event loop thread of their own, so
/// that thread's CPU time (``threadCPUMicroseconds()``) is the publishing side's cost.
///
/// For `--bus nchan` it publishes the same envelope (its `id` set to `<epoch>-<seq>`) in nchan's
/// own frame (``NchanFrame``) with a plain `PUBLISH` to `{channel:/aws_metrics}:pubsub`, no lease.
final class RedisBusPublisher: Sendable {
    struct Counts {
        var published = 0
        var fenced = 0
        var failure: String?
    }

    let rate: Int
    let keys: RedisBusKeys
    /// `REDIS_URL` and `REDIS_KEY_PREFIX` for the gateway.
    let gatewayEnvironment: [String: String]
    let counts = Mutex(Counts())
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let runClient: @Sendable () async throws -> Void
    private let bus: RedisPublisherBus
    private let client: any RedisCommandSending
    private let isNchan: Bool
    /// When publishing stops even if nobody cancels it.
    private let maxDuration: Duration

    init(bus: BusKind, port: Int, rate: Int, maxDuration: Duration) {
        var logger = Logger(label: "fanout-publisher")
        logger.logLevel = .warning
        var configuration = RedisConfiguration(port: port)
        let client: any RedisCommandSending
        let pubSub: RedisBusPubSub
        let url: String
        if bus == .cluster {
            configuration.cluster = .enabled
            let cluster = RedisClusterClient(configuration: configuration, eventLoopGroup: group, logger: logger)
            (client, self.runClient) = (cluster, { try await cluster.run() })
            (self.keys, pubSub, url) = (RedisBusKeys(prefix: RedisBusKeys.clusterDefaultPrefix), .sharded, "redis+cluster://")
        } else {
            let single = RedisClient(configuration: configuration, eventLoopGroup: group, logger: logger)
            (client, self.runClient) = (single, { try await single.run() })
            (self.keys, pubSub, url) = (RedisBusKeys(), .classic, "redis://")
        }
        self.bus = RedisPublisherBus(client: client, keys: self.keys, pubSub: pubSub, logger: logger)
        self.client = client
        self.isNchan = bus == .nchan
        self.rate = max(1, rate)
        self.maxDuration = maxDuration
        self.gatewayEnvironment = ["REDIS_URL": "\(url)127.0.0.1:\(port)", "REDIS_KEY_PREFIX": self.keys.prefix]
    }

    /// Takes the lease and publishes until cancelled (or `maxDuration`); a failure is kept in
    /// ``counts`` for the run to report, not thrown.
    func run() async {
        let executor = EventLoopTaskExecutor(eventLoop: self.group.next())
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await self.runClient() }
            do {
                try await withTaskExecutorPreference(executor) {
                    if self.isNchan { try await self.publishToNchan() } else { try await self.publish() }
                }
            } catch is CancellationError {
            } catch {
                self.counts.withLock { $0.failure = "\(error)" }
            }
            tasks.cancelAll()
        }
    }

    /// User plus system CPU time of the publisher's thread so far (`RUSAGE_THREAD` on that thread).
    func threadCPUMicroseconds() async throws -> Double {
        try await self.group.next().submit {
            var usage = rusage()
            // RUSAGE_THREAD (1 on Linux) is not in Swift's Glibc module.
            getrusage(__rusage_who_t(1), &usage)
            func micros(_ time: timeval) -> Double { Double(time.tv_sec) * 1_000_000 + Double(time.tv_usec) }
            return micros(usage.ru_utime) + micros(usage.ru_stime)
        }.get()
    }

    func shutdown() async throws {
        try await self.group.shutdownGracefully()
    }

    /// nchan's frame with a plain PUBLISH, at `rate`, once the client answers (within 15 s).
    private func publishToNchan() async throws {
        let clock = ContinuousClock()
        let readyDeadline = clock.now + .seconds(15)
        while true {
            do {
                _ = try await self.client.ping()
                break
            } catch is RedisClientError where clock.now < readyDeadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let channel = NchanFrame.redisChannel(for: LoadProtocol.nchanChannel)
        let epoch = Int64(1)
        var pacer = Pacer(rate: self.rate, maxDuration: self.maxDuration)
        var seq = 0
        while !Task.isCancelled && pacer.isRunning {
            seq += 1
            let (envelope, unixSeconds) = FanoutSample.envelope(seq: seq, epoch: epoch)
            let message = try EncodedEnvelope(envelope).withID("\(epoch)-\(seq)")
            _ = try await self.client.publish(
                NchanFrame.encode(message, unixSeconds: UInt32(truncatingIfNeeded: unixSeconds)), to: channel)
            self.counts.withLock { $0.published += 1 }
            try await pacer.wait()
        }
    }

    private func publish() async throws {
        let token = "fanout-benchmark-\(getpid())"
        let clock = ContinuousClock()
        // The lease, while the client connects (and, on a cluster, reads the slot map): 15 s at most.
        let leaseDeadline = clock.now + .seconds(15)
        var acquired: Int64?
        while acquired == nil {
            do {
                acquired = try await self.bus.acquireLease(token: token, ttl: .seconds(3600))
                if acquired == nil { throw BenchmarkError(message: "the bus lease is held by another token") }
            } catch is RedisClientError where clock.now < leaseDeadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let epoch = acquired else { return }
        var pacer = Pacer(rate: self.rate, maxDuration: self.maxDuration)
        var seq = 0
        while !Task.isCancelled && pacer.isRunning {
            seq += 1
            let (envelope, _) = FanoutSample.envelope(seq: seq, epoch: epoch)
            switch try await self.bus.publish(try EncodedEnvelope(envelope), to: .metrics, cursor: nil, token: token) {
            case .published: self.counts.withLock { $0.published += 1 }
            case .fenced: self.counts.withLock { $0.fenced += 1 }
            }
            try await pacer.wait()
        }
    }
}
