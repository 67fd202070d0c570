import Foundation
import TextFormats

/// Cost Explorer `GetCostAndUsage` (daily, month to date, grouped) and `GetCostForecast`.
extension DemoResponder {
    /// Each day's spend per service: the service's daily figure with a day-to-day wave; today
    /// grows with the hours gone and wobbles a little on every poll.
    func getCostAndUsage(_ request: DemoRequest, now: Double) -> String {
        let today = Int(now / 86_400) * 86_400
        let start = request.string("TimePeriod", "Start").flatMap(DemoClock.parseDay) ?? (today - 86_400 * 6)
        let end = min(request.string("TimePeriod", "End").flatMap(DemoClock.parseDay) ?? today + 86_400, today + 86_400)
        let metric = (request.json["Metrics"] as? [Any])?.first as? String ?? "UnblendedCost"
        let groupType = request.string("GroupBy", "0", "Type") ?? "DIMENSION"
        let groupKey = request.string("GroupBy", "0", "Key") ?? "SERVICE"
        var days: [String] = []
        var day = start
        while day < end, days.count < 366 {
            let groups = DemoCaptures.dailyCosts.map { cost in
                TextTemplate(DemoCaptures.costGroup).render([
                    "key": cost.service, "metric": metric,
                    "amount": String(format: "%.10f", Self.spend(cost.service, cost.dollars, day: day, now: now)),
                ])
            }
            days.append(
                TextTemplate(DemoCaptures.costDay).render([
                    "start": DemoClock.day(day), "end": DemoClock.day(day + 86_400), "groups": groups.joined(separator: ","),
                    "estimated": day == today ? "true" : "false",
                ]))
            day += 86_400
        }
        return fill(
            DemoCaptures.getCostAndUsage, ["groupType": groupType, "groupKey": groupKey, "days": days.joined(separator: ",")],
            slot: Int(now))
    }

    /// The rest of the period at the services' average daily spend.
    func getCostForecast(_ request: DemoRequest, now: Double) -> String {
        let today = Int(now / 86_400) * 86_400
        let start = request.string("TimePeriod", "Start").flatMap(DemoClock.parseDay) ?? today + 86_400
        let end = request.string("TimePeriod", "End").flatMap(DemoClock.parseDay) ?? start + 86_400
        let days = Double(max(0, end - start) / 86_400)
        let daily = DemoCaptures.dailyCosts.reduce(0) { $0 + $1.dollars }
        let total = daily * days * (1 + 0.01 * DemoSignal.noise("forecast", Int(now / 60)))
        return fill(
            DemoCaptures.getCostForecast,
            [
                "total": String(format: "%.10f", total), "lower": String(format: "%.10f", total * 0.9),
                "upper": String(format: "%.10f", total * 1.1), "start": DemoClock.day(start), "end": DemoClock.day(end),
            ], slot: Int(now))
    }

    static func spend(_ service: String, _ dollars: Double, day: Int, now: Double) -> Double {
        let dayIndex = day / 86_400
        let settled = dollars * (1 + 0.18 * sin(Double(dayIndex) * 1.7 + Double(DemoSignal.hash(service, 0) % 628) / 100))
        let today = Double(Int(now / 86_400) * 86_400)
        guard Double(day) >= today else { return settled }
        let elapsed = max(0.02, (now - today) / 86_400)
        return settled * elapsed * (1 + 0.02 * DemoSignal.noise(service, Int(now / 5)))
    }
}
