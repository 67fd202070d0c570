/// Text in the Prometheus exposition format (0.0.4), one metric family at a time:
/// `# HELP`, `# TYPE`, then its samples.
public struct PrometheusText: Sendable {
    /// A metric family's type.
    public struct MetricType: Sendable, Hashable, CustomStringConvertible {
        public let description: String

        private init(_ description: String) { self.description = description }

        public static let counter = MetricType("counter")
        public static let gauge = MetricType("gauge")
    }

    /// A sample: its label set (`name="value",...`, already escaped; empty for none) and value.
    public typealias Sample = (labels: String, value: String)

    public private(set) var text = ""

    public init() {}

    /// Appends the family `name`: its HELP and TYPE lines, then one line per sample.
    public mutating func append(_ name: String, _ type: MetricType, help: String, _ samples: [Sample]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for sample in samples {
            text += sample.labels.isEmpty ? "\(name) \(sample.value)\n" : "\(name){\(sample.labels)} \(sample.value)\n"
        }
    }
}

/// Label values in the Prometheus text exposition format (0.0.4): inside `name="..."` a
/// backslash, a double quote and a line feed are written `\\`, `\"` and `\n`; everything else as is.
public enum PrometheusLabel {
    public static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `name="value"` with `value` escaped.
    public static func pair(_ name: String, _ value: String) -> String {
        "\(name)=\"\(escape(value))\""
    }
}
