/// JSON string literals for the hand-written JSON of this project (envelope heads, control
/// messages): one escaping rule everywhere.
public enum JSONString {
    /// `text` as a JSON string literal, quotes included: quotes, backslashes and control
    /// characters escaped (also a valid YAML double-quoted scalar).
    public static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
