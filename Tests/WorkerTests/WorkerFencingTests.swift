import Bus
import Foundation
import Payloads
import TestSupport
import Testing

@testable import Worker

@Suite struct WorkerFencingTests {
    /// A poll in flight when its leadership is lost must not publish, even when the same worker
    /// has taken the lease again before the poll ends: another leader published in between (and
    /// moved the cursor), so the late batch would duplicate events and move the cursor back.
    @Test func aPollFromALostLeadershipIsFencedAfterTheSameWorkerLeadsAgain() async throws {
        let bus = InProcessBus()
        let source = SequenceSource()
        source.add(3)
        // The first poll stays in flight at the gate until the test lets it go: the takeover and the
        // new leadership happen inside it however slow the machine is.
        let firstPoll = TestGate()
        let worker = Worker(
            configuration: WorkerTesting.configuration(),
            collectors: [SequenceCollector(stream: .logs, source: source, gate: firstPoll)],
            bus: bus, token: "w", logger: WorkerTesting.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            defer {
                firstPoll.open()
                worker.stop()
            }
            #expect(await WorkerTesting.eventually { source.concurrentPolls.withLock { $0.current } == 1 })
            #expect(worker.lease.validEpoch == 1)
            // Behind the polling worker's back: another leader takes over, publishes, and goes away.
            try await bus.releaseLease(token: "w")
            let usurperEpoch = try #require(try await bus.acquireLease(token: "usurper", ttl: .seconds(30)))
            let envelope = try EncodedEnvelope(
                Envelope(
                    stream: .logs, type: "logs", epoch: usurperEpoch, timestamp: Date(), account: "1", region: "eu-west-1",
                    data: [100]))
            #expect(try await bus.publish(envelope, to: .logs, cursor: ["last": "100"], token: "usurper") != .fenced)
            #expect(await WorkerTesting.eventually { worker.statistics.snapshot.leaseLosses >= 1 })
            try await bus.releaseLease(token: "usurper")
            // The worker leads again, under a new epoch, while its first poll is still running.
            #expect(await WorkerTesting.eventually { worker.lease.validEpoch == usurperEpoch + 1 })
            #expect(source.concurrentPolls.withLock { $0.current } == 1, "the first poll should still be running")
            firstPoll.open()
            // That poll's batch is refused; the next poll continues from the usurper's cursor.
            #expect(await WorkerTesting.eventually { worker.statistics.snapshot.fenced[.logs, default: 0] >= 1 })
            #expect(try await WorkerTesting.publishedEvents(bus) == [100])
            #expect(try await bus.cursor(of: .logs) == ["last": "100"])
        }
    }
}
