extension JSONDocument {
    /// Compact text: no whitespace at all, members in order, numbers as written.
    /// This is the form AWS JSON protocols put on the wire.
    public var compactText: String {
        var output = ""
        write(to: &output, indent: nil, level: 0)
        return output
    }

    /// Human-readable text: two-space indentation, one member or element per line.
    public var prettyText: String {
        var output = ""
        write(to: &output, indent: "  ", level: 0)
        return output
    }

    func write(to output: inout String, indent: String?, level: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let value): JSONString.append(value, to: &output, style: .shortFormsAndDelete)
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            if indent != nil, let inline = JSONDocument.inlineScalars(elements) {
                output += inline
                return
            }
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                JSONDocument.newline(&output, indent: indent, level: level + 1)
                element.write(to: &output, indent: indent, level: level + 1)
            }
            JSONDocument.newline(&output, indent: indent, level: level)
            output += "]"
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { output += "," }
                JSONDocument.newline(&output, indent: indent, level: level + 1)
                JSONString.append(member.key, to: &output, style: .shortFormsAndDelete)
                output += indent == nil ? ":" : ": "
                member.value.write(to: &output, indent: indent, level: level + 1)
            }
            JSONDocument.newline(&output, indent: indent, level: level)
            output += "}"
        }
    }

    /// Pretty output keeps a short list of scalars on one line (`["Content-Type", "text/xml"]`).
    static func inlineScalars(_ elements: [JSONDocument]) -> String? {
        var parts: [String] = []
        for element in elements {
            switch element {
            case .array, .object: return nil
            default: parts.append(element.compactText)
            }
        }
        let inline = "[" + parts.joined(separator: ", ") + "]"
        return inline.count <= 100 ? inline : nil
    }

    static func newline(_ output: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        output += "\n"
        for _ in 0..<level { output += indent }
    }
}
