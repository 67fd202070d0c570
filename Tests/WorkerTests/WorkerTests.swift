import Bus
import Foundation
import Payloads
import Synchronization
import TestSupport
import Testing

@testable import Worker

// Integration: the real worker on wall-clock timers (lease renewals every 60 ms, poll intervals,
// heartbeats), with assertions on what happens within a time (a takeover within 2 s, an outage shorter
// than the TTL, skipped ticks per elapsed time). The worker takes no injectable clock for its lease and
// sleeps, and on two cores the unit layer in parallel starves those timers for seconds.
@Suite(.tags(.integration)) struct WorkerTests {
    @Test func oneLeaderPublishesEveryEventOnce() async throws {
        let bus = InProcessBus()
        let source = SequenceSource()
        let configuration = WorkerTesting.configuration()
        let workers = (0..<2).map { index in
            Worker(
                configuration: configuration, collectors: [SequenceCollector(stream: .logs, source: source)], bus: bus,
                token: "worker-\(index)",
                logger: WorkerTesting.logger)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { await worker.run() } }
            for _ in 0..<10 {
                source.add(5)
                try await Task.sleep(for: .milliseconds(30))
            }
            #expect(await WorkerTesting.eventually { try await WorkerTesting.publishedEvents(bus) == Array(1...50) })
            let leaders = workers.filter { $0.lease.validEpoch != nil }
            #expect(leaders.count == 1)
            for worker in workers { worker.stop() }
        }
    }

    /// The leader stops (gracefully); the standby takes over at once and resumes from the cursor.
    @Test func standbyTakesOverAndResumesFromTheCursor() async throws {
        let bus = InProcessBus()
        let source = SequenceSource()
        let configuration = WorkerTesting.configuration()
        let first = Worker(
            configuration: configuration, collectors: [SequenceCollector(stream: .logs, source: source)], bus: bus, token: "a",
            logger: WorkerTesting.logger)
        let second = Worker(
            configuration: configuration, collectors: [SequenceCollector(stream: .logs, source: source)], bus: bus, token: "b",
            logger: WorkerTesting.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            #expect(await WorkerTesting.eventually { first.lease.validEpoch != nil })
            group.addTask { await second.run() }
            source.add(10)
            #expect(await WorkerTesting.eventually { try await WorkerTesting.publishedEvents(bus) == Array(1...10) })
            first.stop()
            #expect(await WorkerTesting.eventually(timeout: .seconds(2)) { second.lease.validEpoch == 2 })
            source.add(10)
            #expect(await WorkerTesting.eventually { try await WorkerTesting.publishedEvents(bus) == Array(1...20) })
            second.stop()
        }
    }

    /// A leader that stalls past its TTL (a long GC pause, a stuck call) must not publish what it
    /// collected once a standby has taken over.
    @Test func aStalledLeaderIsFenced() async throws {
        let bus = InProcessBus()
        let source = SequenceSource()
        source.add(3)
        // The poll stalls at the gate until the takeover is done: no race between a poll's duration
        // and the test's steps on a loaded machine.
        let stall = TestGate()
        let slow = Worker(
            configuration: WorkerTesting.configuration(),
            collectors: [SequenceCollector(stream: .logs, source: source, gate: stall)],
            bus: bus, token: "slow", logger: WorkerTesting.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await slow.run() }
            defer {
                stall.open()
                slow.stop()
            }
            #expect(await WorkerTesting.eventually { slow.lease.validEpoch != nil })
            // While the slow leader is inside its poll, take the lease over behind its back.
            #expect(await WorkerTesting.eventually { source.concurrentPolls.withLock { $0.current } == 1 })
            try await bus.releaseLease(token: "slow")
            #expect(try await bus.acquireLease(token: "usurper", ttl: .seconds(30)) != nil)
            // Its lease is gone (its next renewal is refused) while the poll is still stalled.
            #expect(await WorkerTesting.eventually { slow.lease.validEpoch == nil })
            #expect(source.concurrentPolls.withLock { $0.current } == 1)
            stall.open()
            #expect(await WorkerTesting.eventually { slow.statistics.snapshot.fenced[.logs, default: 0] >= 1 })
            #expect(try await WorkerTesting.publishedEvents(bus).isEmpty)
        }
    }

    @Test func aBusOutageShorterThanTheLeaseLosesNothing() async throws {
        let inner = InProcessBus()
        let bus = FlakyBus(inner)
        let source = SequenceSource()
        let worker = Worker(
            configuration: WorkerTesting.configuration(ttl: .seconds(2)),
            collectors: [SequenceCollector(stream: .logs, source: source)],
            bus: bus, token: "w", logger: WorkerTesting.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            source.add(5)
            #expect(await WorkerTesting.eventually { try await WorkerTesting.publishedEvents(inner) == Array(1...5) })
            bus.isDown.withLock { $0 = true }
            for _ in 0..<5 {
                source.add(2)
                try await Task.sleep(for: .milliseconds(60))
            }
            #expect(await WorkerTesting.eventually { worker.statistics.snapshot.buffered[.logs, default: 0] > 0 })
            bus.isDown.withLock { $0 = false }
            #expect(await WorkerTesting.eventually { try await WorkerTesting.publishedEvents(inner) == Array(1...15) })
            #expect(worker.statistics.snapshot.bufferDropped[.logs, default: 0] == 0)
            worker.stop()
        }
    }

    @Test func pollsNeverOverlapAndOverrunsSkipTicks() async throws {
        let bus = InProcessBus()
        let source = SequenceSource()
        let worker = Worker(
            configuration: WorkerTesting.configuration(interval: .milliseconds(20)),
            collectors: [SequenceCollector(stream: .logs, source: source, pollDuration: .milliseconds(100))], bus: bus,
            token: "w",
            logger: WorkerTesting.logger)
        let clock = ContinuousClock()
        let started = clock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            #expect(await WorkerTesting.eventually { source.concurrentPolls.withLock { $0.total } >= 5 })
            worker.stop()
        }
        let elapsed = started.duration(to: clock.now)
        let polls = source.concurrentPolls.withLock { $0 }
        #expect(polls.maximum == 1)
        // 100 ms polls on a 20 ms interval: no more polls than fit one after another.
        #expect(Double(polls.total) <= elapsed / .milliseconds(100) + 1)
    }

    @Test func withoutListenersOnlyTheKeepWarmPollRuns() async throws {
        let bus = InProcessBus()
        let source = SequenceSource()
        var configuration = WorkerTesting.configuration(interval: .milliseconds(20))
        configuration.demand = .whileWatched
        let worker = Worker(
            configuration: configuration, collectors: [SequenceCollector(stream: .logs, source: source)], bus: bus, token: "w",
            logger: WorkerTesting.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            // The first poll always runs (nothing is warm yet); after it, nobody listens.
            #expect(await WorkerTesting.eventually { source.concurrentPolls.withLock { $0.total } == 1 })
            #expect(
                await WorkerTesting.eventually { worker.statistics.snapshot.pollsSkippedWithoutListeners[.logs, default: 0] > 3 })
            let idlePolls = source.concurrentPolls.withLock { $0.total }
            #expect(idlePolls == 1)
            let subscriber = bus.makeSubscriber()
            try await subscriber.subscribe(to: .logs)
            #expect(await WorkerTesting.eventually { source.concurrentPolls.withLock { $0.total } > idlePolls + 3 })
            subscriber.close()
            worker.stop()
        }
    }

    @Test func heartbeatsReachSubscribers() async throws {
        let bus = InProcessBus()
        let subscriber = bus.makeSubscriber()
        try await subscriber.subscribe(to: .logs)
        let worker = Worker(
            configuration: WorkerTesting.configuration(),
            collectors: [SequenceCollector(stream: .logs, source: SequenceSource())], bus: bus,
            token: "w", logger: WorkerTesting.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            var iterator = subscriber.events.makeAsyncIterator()
            guard case .message(let message) = await iterator.next() else {
                Issue.record("no heartbeat")
                return
            }
            let envelope = try JSONDecoder().decode(Envelope<Heartbeat>.self, from: Data(message.envelope.readableBytesView))
            #expect(envelope.type == "heartbeat")
            #expect(envelope.epoch >= 1)
            worker.stop()
            subscriber.close()
        }
    }
}
