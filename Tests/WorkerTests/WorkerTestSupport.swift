import Bus
import Foundation
import Logging
import NIOCore
import Payloads
import Synchronization
import TestSupport

@testable import Worker

/// An incremental source: events are increasing integers; the cursor is the last one published.
final class SequenceSource: Sendable {
    let events = Mutex<[Int]>([])
    let concurrentPolls = Mutex((current: 0, maximum: 0, total: 0))

    func add(_ count: Int) {
        events.withLock { events in
            let start = (events.last ?? 0) + 1
            events.append(contentsOf: start..<start + count)
        }
    }
}

struct SequenceCollector: Collector {
    let stream: StreamName
    let source: SequenceSource
    var pollDuration: Duration = .zero
    /// When set, every poll waits here (after counting itself in flight) until the test opens it: a
    /// stalled poll that stays stalled for exactly as long as the scenario needs, however slow the machine.
    var gate: TestGate? = nil

    func poll(from cursor: [String: String]) async throws -> CollectedPoll {
        source.concurrentPolls.withLock {
            $0.current += 1
            $0.total += 1
            $0.maximum = max($0.maximum, $0.current)
        }
        defer { source.concurrentPolls.withLock { $0.current -= 1 } }
        if pollDuration > .zero { try await Task.sleep(for: pollDuration) }
        if let gate { await gate.wait() }
        let last = Int(cursor["last"] ?? "0") ?? 0
        let new = source.events.withLock { $0.filter { $0 > last } }
        guard let newest = new.last else { return CollectedPoll(batches: []) }
        let data = Array("[\(new.map(String.init).joined(separator: ","))]".utf8)
        return CollectedPoll(batches: [CollectedBatch(type: stream.dataType, data: data, cursor: ["last": "\(newest)"])])
    }
}

/// A bus that can be taken down: while down every call throws, as a Redis outage would.
final class FlakyBus: PublisherBus {
    let inner: InProcessBus
    let isDown = Mutex(false)

    struct Unreachable: Error {}

    init(_ inner: InProcessBus) {
        self.inner = inner
    }

    private func check() throws {
        if isDown.withLock({ $0 }) { throw Unreachable() }
    }

    func acquireLease(token: String, ttl: Duration) async throws -> Int64? {
        try check()
        return try await inner.acquireLease(token: token, ttl: ttl)
    }

    func renewLease(token: String, ttl: Duration) async throws -> Bool {
        try check()
        return try await inner.renewLease(token: token, ttl: ttl)
    }

    func releaseLease(token: String) async throws {
        try check()
        try await inner.releaseLease(token: token)
    }

    func publish(
        _ envelope: EncodedEnvelope, to stream: StreamName, cursor: [String: String]?, scope: BusCursorScope, token: String
    ) async throws -> PublishOutcome {
        try check()
        return try await inner.publish(envelope, to: stream, cursor: cursor, scope: scope, token: token)
    }

    func heartbeat(_ envelope: EncodedEnvelope, to stream: StreamName, token: String) async throws -> PublishOutcome {
        try check()
        return try await inner.heartbeat(envelope, to: stream, token: token)
    }

    func cursor(of stream: StreamName, scope: BusCursorScope) async throws -> [String: String] {
        try check()
        return try await inner.cursor(of: stream, scope: scope)
    }

    func listenerCounts(of streams: [StreamName]) async throws -> [StreamName: Int] {
        try check()
        return try await inner.listenerCounts(of: streams)
    }
}

enum WorkerTesting {
    static var logger: Logger {
        var logger = Logger(label: "worker-test")
        logger.logLevel = .critical
        return logger
    }

    static func configuration(interval: Duration = .milliseconds(40), ttl: Duration = .seconds(2)) -> WorkerConfiguration {
        WorkerConfiguration(
            account: "123456789012", region: "eu-west-1", lease: .init(ttl: ttl, renewInterval: .milliseconds(60)),
            streams: [.logs: .init(interval: interval, keepWarmInterval: .seconds(3600))], demand: .always,
            heartbeatInterval: .milliseconds(100), outageBufferCapacity: 50, jitter: 0, demandCheckInterval: .milliseconds(10))
    }

    /// Every integer published on `stream`, in history order.
    static func publishedEvents(_ bus: InProcessBus, stream: StreamName = .logs) async throws -> [Int] {
        let messages = try await bus.makeSubscriber().history(of: stream, after: nil, limit: 100_000)
        return try messages.flatMap { message -> [Int] in
            let envelope = try JSONDecoder().decode(Envelope<[Int]>.self, from: Data(message.envelope.readableBytesView))
            return envelope.data
        }
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes.
    /// (TestSupport's `eventually`, with this suite's default; an error on the last check counts as false.)
    static func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async -> Bool {
        (try? await TestSupport.eventually(timeout: timeout, condition)) == true
    }
}
