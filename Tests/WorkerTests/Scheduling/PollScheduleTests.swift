import AWSCore
import Foundation
import Payloads
import Testing

@testable import Worker

/// The poll schedule as a plain value: every rule of when a stream polls.
@Suite struct PollScheduleTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func schedule(
        interval: Duration = .seconds(60), keepWarm: Duration? = .seconds(900), billed: Bool = false,
        demandDriven: Bool = true
    ) -> PollSchedule {
        PollSchedule(
            policy: .init(
                interval: interval, keepWarm: keepWarm, isBilled: billed, isDemandDriven: demandDriven,
                unavailableRetry: .seconds(3600)))
    }

    static func decide(
        _ schedule: PollSchedule, at offset: TimeInterval, listeners: Int?, health: StreamHealth.State = .live,
        collectorDue: Date? = nil, stretch: Double = 1
    ) -> PollSchedule.Decision {
        schedule.decide(
            now: start.addingTimeInterval(offset), listeners: listeners, health: health, collectorDue: collectorDue,
            stretch: stretch, demandCheck: .seconds(2))
    }

    @Test func aFreeStreamPollsAtItsIntervalWhileWatchedAndKeepsWarmOtherwise() {
        var schedule = Self.schedule()
        #expect(Self.decide(schedule, at: 0, listeners: 0) == .pollNow, "the first poll warms the history")
        schedule.attempted(at: Self.start, succeeded: true)
        #expect(Self.decide(schedule, at: 30, listeners: 1) == .wait(until: Self.start.addingTimeInterval(32)))
        #expect(Self.decide(schedule, at: 60, listeners: 1) == .pollNow)
        // Nobody watches: at the keep-warm interval, looking for a first client every 2 s.
        #expect(Self.decide(schedule, at: 60, listeners: 0) == .wait(until: Self.start.addingTimeInterval(62)))
        #expect(Self.decide(schedule, at: 900, listeners: 0) == .pollNow)
        // The bus did not say: a free stream polls (its batches wait in the outage buffer).
        #expect(Self.decide(schedule, at: 60, listeners: nil) == .pollNow)
    }

    /// Billed streams make no call while nobody watches, and one read at once when a first client
    /// comes to history older than the stream's period.
    @Test func aBilledStreamMakesNoCallWhileNobodyWatches() {
        var schedule = Self.schedule(interval: .seconds(12 * 3600), keepWarm: nil, billed: true)
        #expect(Self.decide(schedule, at: 0, listeners: 0) == .wait(until: Self.start.addingTimeInterval(2)))
        #expect(Self.decide(schedule, at: 0, listeners: nil) == .wait(until: Self.start.addingTimeInterval(2)))
        #expect(Self.decide(schedule, at: 0, listeners: 1) == .pollNow)
        schedule.attempted(at: Self.start, succeeded: true)
        // Read 1 hour ago: a new client gets the history, no call.
        #expect(Self.decide(schedule, at: 3600, listeners: 1) == .wait(until: Self.start.addingTimeInterval(3602)))
        // A day later, nobody watching: still no call; then a client arrives: one read at once.
        #expect(Self.decide(schedule, at: 86_400, listeners: 0) == .wait(until: Self.start.addingTimeInterval(86_402)))
        #expect(Self.decide(schedule, at: 86_400, listeners: 1) == .pollNow)
        // Demand `always` needs no client.
        let always = Self.schedule(interval: .seconds(60), keepWarm: nil, billed: true, demandDriven: false)
        #expect(Self.decide(always, at: 0, listeners: nil) == .pollNow)
    }

    /// Metrics: the collector says when a period's datapoint settles; the interval does not apply.
    @Test func aCollectorWithItsOwnDueTimeIsPolledThenOnly() {
        var schedule = Self.schedule(interval: .seconds(300), keepWarm: nil, billed: true)
        schedule.attempted(at: Self.start, succeeded: true)
        let settles = Self.start.addingTimeInterval(170)
        #expect(
            Self.decide(schedule, at: 100, listeners: 2, collectorDue: settles)
                == .wait(until: Self.start.addingTimeInterval(102)))
        #expect(Self.decide(schedule, at: 170, listeners: 2, collectorDue: settles) == .pollNow)
        // Unwatched, no keep-warm: nothing, even when a period has settled.
        #expect(
            Self.decide(schedule, at: 170, listeners: 0, collectorDue: settles)
                == .wait(until: Self.start.addingTimeInterval(172)))
    }

    @Test func aSpendBudgetStretchesBilledStreamsOnly() {
        var billed = Self.schedule(interval: .seconds(300), keepWarm: nil, billed: true)
        billed.attempted(at: Self.start, succeeded: true)
        #expect(billed.due(listeners: 1, health: .live, collectorDue: nil, stretch: 2) == Self.start.addingTimeInterval(600))
        // With its own due time the stretch still spaces the reads.
        #expect(
            billed.due(listeners: 1, health: .live, collectorDue: Self.start.addingTimeInterval(300), stretch: 3)
                == Self.start.addingTimeInterval(900))
        var free = Self.schedule(interval: .seconds(60))
        free.attempted(at: Self.start, succeeded: true)
        #expect(free.due(listeners: 1, health: .live, collectorDue: nil, stretch: 10) == Self.start.addingTimeInterval(60))
    }

    @Test func anUnavailableStreamIsTriedAgainRarelyAndAFailedPollSoon() {
        var schedule = Self.schedule(interval: .seconds(12 * 3600), keepWarm: .seconds(12 * 3600))
        schedule.attempted(at: Self.start, succeeded: false)
        // A failed poll of a stream with a long interval is tried again within 10 minutes.
        #expect(
            schedule.due(listeners: 1, health: .degraded, collectorDue: nil, stretch: 1) == Self.start.addingTimeInterval(600))
        #expect(
            schedule.due(listeners: 1, health: .unavailable, collectorDue: nil, stretch: 1) == Self.start.addingTimeInterval(3600)
        )
        #expect(schedule.expectedGap(listeners: 1, health: .unavailable, collectorDue: nil, stretch: 1) == nil)
    }

    /// After a failover the new leader continues from the last poll stored in the cursor.
    @Test func aNewLeaderContinuesTheStoredSchedule() {
        var schedule = Self.schedule(interval: .seconds(12 * 3600), keepWarm: nil, billed: true)
        schedule.resume(lastPoll: Self.start)
        #expect(Self.decide(schedule, at: 60, listeners: 1) == .wait(until: Self.start.addingTimeInterval(62)))
        #expect(Self.decide(schedule, at: 12 * 3600, listeners: 1) == .pollNow)
    }

    @Test func theExpectedGapFollowsDemand() {
        var schedule = Self.schedule(interval: .seconds(60), keepWarm: .seconds(900))
        schedule.attempted(at: Self.start, succeeded: true)
        #expect(schedule.expectedGap(listeners: 1, health: .live, collectorDue: nil, stretch: 1) == .seconds(60))
        #expect(schedule.expectedGap(listeners: 0, health: .live, collectorDue: nil, stretch: 1) == .seconds(900))
        let billed = Self.schedule(interval: .seconds(300), keepWarm: nil, billed: true)
        #expect(billed.expectedGap(listeners: 0, health: .live, collectorDue: nil, stretch: 1) == nil)
    }

    /// The budget's stretch is the projected spend over the budget, shared by what each costs.
    @Test func theSpendPlannerSharesTheBudgetByCost() {
        let planner = SpendPlanner(dailyBudget: 0.60)
        #expect(planner.stretch == 1)
        // 500 metrics every 5 minutes: $0.005 a read, 288 reads a day = $1.44.
        planner.report(.metrics, dollarsPerPoll: 0.005, period: .seconds(300))
        #expect(abs(planner.projectedDailySpend - 1.44) < 1e-9)
        // 2 Cost Explorer requests twice a day: $0.04.
        planner.report(.costs, dollarsPerPoll: 0.02, period: .seconds(12 * 3600))
        #expect(abs(planner.stretch - 1.48 / 0.60) < 1e-9)
        #expect(SpendPlanner(dailyBudget: nil).stretch == 1)
    }
}

/// A stream's state as a plain value: what moves it, and what it publishes.
@Suite struct StreamHealthTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func error(_ code: String, status: Int = 400, operation: String = "DescribeEvents") -> AWSError {
        AWSError(
            kind: .service, service: "health", operation: operation, code: code, message: "\(code) message",
            httpStatus: status)
    }

    @Test func healthWithoutASupportPlanIsUnavailableOnce() {
        var health = StreamHealth()
        let changed1 = health.failed(Self.error("SubscriptionRequiredException"), at: Self.now)
        #expect(changed1)
        #expect(health.state == .unavailable)
        // The same refusal again is no change (logged once, published once).
        let changed2 = health.failed(Self.error("SubscriptionRequiredException"), at: Self.now.addingTimeInterval(3600))
        #expect(!changed2)
        // A throttled retry of an unavailable stream keeps it unavailable, for its reason.
        let changed3 = health.failed(Self.error("ThrottlingException"), at: Self.now)
        #expect(!changed3)
        #expect(health.state == .unavailable)
        let data = health.data(retryAt: Self.now.addingTimeInterval(3600))
        #expect(data.state == "unavailable")
        #expect(data.code == "SubscriptionRequiredException")
        #expect(data.message == "SubscriptionRequiredException message")
        #expect(data.operation == "DescribeEvents")
        #expect(data.retryAt == "2027-01-15T09:00:00.000Z")
        let changed4 = health.succeeded(at: Self.now)
        #expect(changed4)
        #expect(health.data(retryAt: nil) == StreamStateData(state: "live", since: "2027-01-15T08:00:00.000Z"))
    }

    @Test func transientFailuresAreDegraded() {
        var health = StreamHealth()
        let changed5 = health.succeeded(at: Self.now)
        #expect(!changed5, "live from the start is no change")
        let changed6 = health.failed(Self.error("InternalFailure", status: 500), at: Self.now)
        #expect(changed6)
        #expect(health.state == .degraded)
        let changed7 = health.failed(AWSError(kind: .transport, message: "connection refused"), at: Self.now)
        #expect(!changed7)
        #expect(health.consecutiveFailures == 2)
        let changed8 = health.failed(Self.error("AccessDeniedException"), at: Self.now)
        #expect(changed8)
        #expect(health.state == .unavailable)
    }
}
