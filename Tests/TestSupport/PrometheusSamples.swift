/// The samples of a Prometheus text exposition, by series as written: `name` or `name{labels}`.
public struct PrometheusSamples: Sendable {
    public let text: String
    public let values: [String: Double]

    public init(text: String) {
        self.text = text
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        self.values = values
    }

    /// The sample of `series` (`aws_realtime_worker_leader`, `aws_realtime_worker_published_total{stream="aws-logs"}`).
    public subscript(series: String) -> Double? { values[series] }

    /// Whether a `# TYPE` line declares `name`.
    public func declares(_ name: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix("# TYPE \(name) ") }
    }
}
