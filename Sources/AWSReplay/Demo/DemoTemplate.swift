/// Fills the `{{name}}` placeholders of a demo capture. A placeholder without a value stays as
/// it is, so a missing value shows in the output instead of silently vanishing.
enum DemoTemplate {
    static func render(_ template: String, _ values: [String: String]) -> String {
        var output = ""
        output.reserveCapacity(template.utf8.count + 64)
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let name = String(rest[open.upperBound..<close.lowerBound])
            output += values[name] ?? "{{\(name)}}"
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    /// `text` as the inside of a JSON string literal.
    static func jsonEscaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
