/// Label values in the Prometheus text exposition format (0.0.4): inside `name="..."` a
/// backslash, a double quote and a line feed are written `\\`, `\"` and `\n`; everything else as is.
enum PrometheusLabel {
    static func escape(_ value: String) -> String {
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
    static func pair(_ name: String, _ value: String) -> String {
        "\(name)=\"\(escape(value))\""
    }
}
