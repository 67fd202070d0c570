import Payloads
import Synchronization

/// Shares a daily spend budget between the billed streams by what each actually costs: each
/// stream reports what its last poll cost and how often it polls; when together they would spend
/// more a day than the budget, every billed stream's wait is stretched by the same factor, so
/// each gets the share of the budget its own cost asks for. Free streams cost nothing and are
/// never stretched.
final class SpendPlanner: Sendable {
    private let budget: Double?
    private let dailySpend = Mutex<[StreamName: Double]>([:])

    init(dailyBudget: Double?) {
        self.budget = dailyBudget.flatMap { $0 > 0 ? $0 : nil }
    }

    /// `stream`'s last poll cost `dollars` and it polls every `period` when due.
    func report(_ stream: StreamName, dollarsPerPoll dollars: Double, period: Duration) {
        let seconds = max(1, period.seconds)
        dailySpend.withLock { $0[stream] = max(0, dollars) * 86_400 / seconds }
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
