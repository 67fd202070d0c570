import Bus
import Testing

@testable import Worker

@Suite struct LeaderLeaseTests {
    /// A standby whose attempt is refused tries again just after the holder's lease runs out, not
    /// a whole renew interval later; once it leads it renews at the renew interval.
    @Test func aStandbyTriesAgainWhenTheHoldersLeaseRunsOut() async throws {
        let bus = InProcessBus()
        #expect(try await bus.acquireLease(token: "holder", ttl: .milliseconds(300)) == 1)
        let lease = LeaderLease(
            bus: bus, configuration: .init(ttl: .seconds(2), renewInterval: .seconds(1)), token: "standby",
            statistics: WorkerStatistics(), logger: WorkerTesting.logger)
        let next = await lease.step()
        #expect(lease.validEpoch == nil)
        #expect(next > .milliseconds(100) && next <= .milliseconds(302), "next attempt in \(next)")
        try await Task.sleep(for: next)
        #expect(await lease.step() == .seconds(1))
        #expect(lease.validEpoch == 2)
    }

    /// With nobody holding the lease and a bus that cannot tell the time left, the renew interval.
    @Test func withoutAHolderTheStandbyWaitsTheRenewInterval() async throws {
        let bus = InProcessBus()
        let lease = LeaderLease(
            bus: bus, configuration: .init(ttl: .seconds(2), renewInterval: .seconds(1)), token: "only",
            statistics: WorkerStatistics(), logger: WorkerTesting.logger)
        #expect(await lease.step() == .seconds(1))
        #expect(lease.validLeadership == LeaderLease.Leadership(epoch: 1, token: "only"))
    }

    /// Each leadership of one worker holds the lease under its own token.
    @Test func aLostLeadershipsSuccessorHasANewToken() async throws {
        let bus = InProcessBus()
        let lease = LeaderLease(
            bus: bus, configuration: .init(ttl: .seconds(2), renewInterval: .seconds(1)), token: "w",
            statistics: WorkerStatistics(), logger: WorkerTesting.logger)
        await lease.step()
        #expect(lease.validLeadership?.token == "w")
        try await bus.releaseLease(token: "w")
        _ = try await bus.acquireLease(token: "other", ttl: .milliseconds(1))
        try await Task.sleep(for: .milliseconds(5))
        await lease.step()  // renew refused: lost
        #expect(lease.validLeadership == nil)
        await lease.step()  // taken again
        #expect(lease.validLeadership == LeaderLease.Leadership(epoch: 3, token: "w#2"))
    }
}
