import Foundation
import Logging
import NIOCore
import Payloads
import Redis
import SocketIOEmitter
import TestSupport
import Testing

/// A real `aws-realtime worker` with `socketIOEmitter: {enabled: true}` in its file, against a real
/// `redis-server` and the replay server on 127.0.0.1: each update it stores also arrives on
/// `socket.io#/aws-realtime#`, where `@socket.io/redis-adapter` listens (`PSUBSCRIBE
/// socket.io#/aws-realtime#*`), as the emitter's message with the stored entry's id. (The bytes
/// themselves are pinned by the Bus tests.)
@Suite(
    .serialized, .timeLimit(.minutes(2)),
    .enabled(if: AWSRealtimeServer.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct WorkerSocketIOEmitterProcessTests {
    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func theWorkerEmitsEveryUpdateItStores() async throws {
        try await FailoverHarness.run(captures: [FailoverCaptures.metrics]) { harness in
            let subscriber = RedisSubscriber(
                configuration: RedisConfiguration(
                    host: "127.0.0.1", port: harness.redis.port, timeouts: .init(connect: .seconds(2), command: .seconds(5))),
                logger: FailoverHarness.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await subscriber.run() }
                defer { group.cancelAll() }
                try await subscriber.subscribe(toPatterns: ["socket.io#/aws-realtime#*"])
                let configuration =
                    "socketIOEmitter: {enabled: true}\n"
                    + FailoverHarness.configuration(ttl: "2s", enabled: [.metrics: FailoverCaptures.metricsConfiguration])
                _ = try await harness.startWorker("emitter", configuration: configuration)

                let message = try await Self.firstMessage(subscriber)
                #expect(message.channel == "socket.io#/aws-realtime#")
                // ["emitter", {"type": 2, "data": ["aws-metrics-update", {"timestamp": … (6 members: with account, region)
                let head: [UInt8] =
                    [0x93, 0xa7] + Self.ascii("emitter") + [0x83, 0xa4] + Self.ascii("type") + [0x02, 0xa4]
                    + Self.ascii("data") + [0x92, 0xb2] + Self.ascii("aws-metrics-update") + [0x86, 0xa9]
                    + Self.ascii("timestamp")
                #expect(Array(message.bytes.prefix(head.count)) == head)
                // … "id": "<the id stored in log:aws-metrics>"}], "nsp": "/aws-realtime"}, {"rooms": [], "flags": {}, "except": []}]
                try await harness.waitUntil("the update is stored", timeout: .seconds(10)) {
                    try await !harness.log(.metrics).isEmpty
                }
                let id = try #require(try await harness.log(.metrics).first?.id)
                let tail: [UInt8] =
                    [0xa2] + Self.ascii("id") + [0xa0 | UInt8(id.utf8.count)] + Self.ascii(id) + [0xa3] + Self.ascii("nsp") + [
                        0xad
                    ]
                    + Self.ascii("/aws-realtime") + [0x83, 0xa5] + Self.ascii("rooms") + [0x90, 0xa5] + Self.ascii("flags")
                    + [0x80, 0xa6] + Self.ascii("except") + [0x90]
                #expect(Array(message.bytes.suffix(tail.count)) == tail)
            }
        }
    }

    /// The first message on the pattern, waiting at most 15 seconds (the worker's start included).
    static func firstMessage(_ subscriber: RedisSubscriber) async throws -> (channel: String, bytes: [UInt8]) {
        try await firstElement("a message on the pattern", of: subscriber.events, timeout: .seconds(15)) { event in
            guard case .patternMessage(_, let channel, let payload) = event else { return nil }
            return (channel, Array(payload.readableBytesView))
        }
    }
}
