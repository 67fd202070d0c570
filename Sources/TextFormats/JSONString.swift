/// JSON string literals for the hand-written JSON of this project (envelope heads, control
/// messages, capture files, demo answers): one escaping rule everywhere.
public enum JSONString {
    /// Which characters besides `"`, `\` and the C0 controls get an escape.
    public struct Style: Sendable, Hashable {
        private enum Kind: Sendable, Hashable {
            case minimal
            case shortFormsAndDelete
        }

        private let kind: Kind

        /// `\"`, `\\`, `\n`, `\r`, `\t`, other C0 controls as `\u00XX`; everything else as is.
        public static let minimal = Style(kind: .minimal)
        /// As ``minimal``, plus `\b` and `\f`, and DEL (U+007F) as `\u007f` (capture files).
        public static let shortFormsAndDelete = Style(kind: .shortFormsAndDelete)

        var hasShortForms: Bool { kind == .shortFormsAndDelete }
    }

    /// `text` as a JSON string literal, quotes included (also a valid YAML double-quoted scalar).
    public static func literal(_ text: String, style: Style = .minimal) -> String {
        var output = ""
        append(text, to: &output, style: style)
        return output
    }

    /// Appends `text` as a JSON string literal, quotes included.
    public static func append(_ text: String, to output: inout String, style: Style = .minimal) {
        output += "\""
        appendEscaped(text, to: &output, style: style)
        output += "\""
    }

    /// `text` as the inside of a JSON string literal (no quotes).
    public static func escaped(_ text: String, style: Style = .minimal) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        appendEscaped(text, to: &output, style: style)
        return output
    }

    /// Appends `text` escaped as the inside of a JSON string literal (no quotes).
    public static func appendEscaped(_ text: String, to output: inout String, style: Style = .minimal) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}" where style.hasShortForms: output += "\\b"
            case "\u{0C}" where style.hasShortForms: output += "\\f"
            case "\u{7F}" where style.hasShortForms: output += "\\u007f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
    }
}
