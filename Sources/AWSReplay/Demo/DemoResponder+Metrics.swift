import Foundation
import TextFormats

/// CloudWatch `ListMetrics` and `GetMetricData`.
extension DemoResponder {
    func listMetrics(_ request: DemoRequest, now: Double) -> String {
        let namespace = request.form["Namespace"]
        let members = DemoCaptures.metrics.filter { namespace == nil || $0.namespace == namespace }.map { metric in
            TextTemplate(DemoCaptures.listMetricsMember).render([
                "namespace": metric.namespace, "name": metric.name, "dimensionName": metric.dimensionName,
                "dimensionValue": metric.dimensionValue,
            ])
        }
        return fill(DemoCaptures.listMetrics, ["members": members.joined()], slot: Int(now))
    }

    /// One result per query, with a point per period from `StartTime` up to now: settled points
    /// keep their value, the still-filling one moves with every poll.
    func getMetricData(_ request: DemoRequest, now: Double) -> String {
        let start = request.form["StartTime"].flatMap(DemoClock.parseISO8601) ?? now - 3600
        let end = min(request.form["EndTime"].flatMap(DemoClock.parseISO8601) ?? now, now + 86_400)
        let isDescending = request.form["ScanBy"] == "TimestampDescending"
        var results: [String] = []
        var index = 1
        while let id = request.form["MetricDataQueries.member.\(index).Id"] {
            let prefix = "MetricDataQueries.member.\(index).MetricStat."
            defer { index += 1 }
            let namespace = request.form[prefix + "Metric.Namespace"] ?? ""
            let name = request.form[prefix + "Metric.MetricName"] ?? ""
            let dimension = request.form[prefix + "Metric.Dimensions.member.1.Value"] ?? ""
            let period = max(1, Int(request.form[prefix + "Period"] ?? "") ?? 60)
            let metric = Self.profile(namespace: namespace, name: name, dimension: dimension)
            let key = "\(namespace)/\(name)/\(dimension)"
            var points: [(time: Int, value: Double)] = []
            var time = Int((start / Double(period)).rounded(.up)) * period
            while Double(time) < end, Double(time) <= now, points.count < 1440 {
                let isFilling = Double(time + period) > now
                let at = isFilling ? now : Double(time) + Double(period) / 2
                var value = DemoSignal.value(
                    key: key, at: at, base: metric.base, amplitude: metric.amplitude, noise: metric.noise)
                if isFilling, metric.isWhole { value *= max(0.05, (now - Double(time)) / Double(period)) }
                points.append((time, value))
                time += period
            }
            if isDescending { points.reverse() }
            results.append(
                TextTemplate(DemoCaptures.getMetricDataResult).render([
                    "id": id, "label": name,
                    "timestamps": points.map { "<member>\(DemoClock.iso8601(Double($0.time)))</member>" }.joined(),
                    "values": points.map { "<member>\(Self.format($0.value, isWhole: metric.isWhole))</member>" }.joined(),
                ]))
        }
        return fill(DemoCaptures.getMetricData, ["results": results.joined()], slot: Int(now))
    }

    /// The demo metric, or a plausible profile for a metric the demo does not list (one the
    /// configuration names).
    static func profile(namespace: String, name: String, dimension: String) -> DemoCaptures.Metric {
        DemoCaptures.metrics.first { $0.namespace == namespace && $0.name == name && $0.dimensionValue == dimension }
            ?? DemoCaptures.metrics.first { $0.namespace == namespace && $0.name == name }
            ?? DemoCaptures.Metric(
                namespace: namespace, name: name, dimensionName: "", dimensionValue: dimension, base: 50, amplitude: 20,
                noise: 5)
    }

    static func format(_ value: Double, isWhole: Bool) -> String {
        isWhole ? String(Int(value.rounded())) : String(format: "%.3f", value)
    }
}
