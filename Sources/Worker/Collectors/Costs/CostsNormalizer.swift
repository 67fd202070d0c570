import AWSServices
import Foundation
import Payloads

/// Turns a month-to-date `GetCostAndUsage` answer into `CostsData` (pure).
enum CostsNormalizer {
    static func costsData(
        _ output: GetCostAndUsageOutput, metric: String, grouping: CostsGrouping, period: CostExplorerDateInterval,
        forecast: CostsData.Forecast?
    ) -> CostsData {
        var currency: String?
        var days: [CostsData.Day] = []
        var byGroup: [String: Decimal] = [:]
        var total = Decimal(0)
        for result in output.resultsByTime {
            var dayAmount = Decimal(0)
            if result.groups.isEmpty {
                if let value = result.total[metric] {
                    dayAmount += value.decimalAmount ?? 0
                    if currency == nil, !value.unit.isEmpty { currency = value.unit }
                }
            } else {
                for group in result.groups {
                    guard let value = group.metrics[metric] else { continue }
                    let amount = value.decimalAmount ?? 0
                    dayAmount += amount
                    byGroup[grouping.groupName(group.keys), default: 0] += amount
                    if currency == nil, !value.unit.isEmpty { currency = value.unit }
                }
            }
            total += dayAmount
            days.append(
                CostsData.Day(date: result.timePeriod.start.description, amount: double(dayAmount), estimated: result.isEstimated)
            )
        }
        let groups = byGroup.map { CostsData.Group(key: $0.key, amount: double($0.value)) }
            .sorted { $0.amount != $1.amount ? $0.amount > $1.amount : $0.key < $1.key }
        return CostsData(
            start: period.start.description, end: period.end.description, currency: currency ?? "USD", total: double(total),
            estimated: output.resultsByTime.contains { $0.isEstimated }, byDay: days, groupBy: grouping.label,
            byGroup: groups, forecast: forecast)
    }

    /// Cost Explorer's forecast metric for a `GetCostAndUsage` metric (`UnblendedCost` → `UNBLENDED_COST`).
    static func forecastMetric(_ metric: String) -> String {
        var result = ""
        for (index, character) in metric.enumerated() {
            if character.isUppercase, index > 0 { result.append("_") }
            result += character.uppercased()
        }
        return result
    }

    /// The nearest `Double` to the exact decimal sum: parsed from its decimal text, because
    /// `NSDecimalNumber.doubleValue` is off in the last bits on Linux (0.42 → 0.42000000000000004).
    static func double(_ decimal: Decimal) -> Double {
        Double(decimal.description) ?? NSDecimalNumber(decimal: decimal).doubleValue
    }
}
