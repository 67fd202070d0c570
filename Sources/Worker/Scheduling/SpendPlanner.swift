import Payloads
import Synchronization

/// Shares a daily spend budget between the billed streams by what each actually costs: each
/// stream reports what its last poll cost and how often it polls; when together they would spend
/// more a day than the budget, every billed stream's wait is stretched by the same factor, so
/// each gets the share of the budget its own cost asks for. Free streams cost nothing and are
/// never stretched.
///
/// A worker polling several targets (accounts and Regions) has one planner: each (stream,
/// target) reports its own cost, and their sum is held to the one daily budget, so every billed
/// poller of every target is stretched by the same factor.
final class SpendPlanner: Sendable {
    private struct Key: Hashable {
        var stream: StreamName
        var target: WorkerTarget?
    }
    private let budget: Double?
    private let dailySpend = Mutex<[Key: Double]>([:])

    init(dailyBudget: Double?) {
        self.budget = dailyBudget.flatMap { $0 > 0 ? $0 : nil }
    }

    /// `stream`'s last poll (in `target`) cost `dollars` and it polls every `period` when due.
    func report(_ stream: StreamName, target: WorkerTarget? = nil, dollarsPerPoll dollars: Double, period: Duration) {
        let seconds = max(1, period.seconds)
        dailySpend.withLock { $0[Key(stream: stream, target: target)] = max(0, dollars) * 86_400 / seconds }
    }

    /// The factor (at least 1) by which billed streams' waits are stretched.
    var stretch: Double {
        guard let budget else { return 1 }
        let projected = dailySpend.withLock { $0.values.reduce(0, +) }
        return max(1, projected / budget)
    }

    /// The projected dollars a day at the streams' current periods, before stretching.
    var projectedDailySpend: Double {
        dailySpend.withLock { $0.values.reduce(0, +) }
    }
}
