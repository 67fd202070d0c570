/// Turns an XML document into a `JSONValue` the way the AWS CLI shows query-protocol responses:
/// an element with only text becomes a string, an element with children an object, and the
/// `member` (and `entry`) wrappers of lists become arrays. XML has no types, so every leaf
/// stays a string.
///
/// An empty list (`<Metrics/>`) looks exactly like an empty string in XML; the SDKs tell them
/// apart by the service model. `listElements` carries that knowledge: an empty element of one of
/// those names becomes `[]` (see ``QueryListMembers``).
///
/// Linear in the size of the document: each element is appended once to its parent's children
/// and grouped by name once, so 40,000 repeated elements cost 40,000 steps, not 40,000².
public enum XMLToJSON {
    public static func convert(_ bytes: [UInt8], listElements: Set<String> = []) throws(AWSError) -> JSONValue {
        let reader = try XMLStreamReader(bytes: bytes)
        // A stack of open elements: name, collected children (in order) and text.
        var stack: [(name: String, children: [(String, JSONValue)], text: String)] = [("", [], "")]
        while let node = try reader.next() {
            switch node {
            case .startElement(let name, let isEmpty):
                if isEmpty {
                    stack[stack.count - 1].children.append((name, value(of: name, children: [], text: "", listElements)))
                } else {
                    stack.append((name, [], ""))
                }
            case .text(let text):
                stack[stack.count - 1].text += text
            case .endElement:
                guard stack.count > 1 else { throw AWSError.malformedResponse("unbalanced XML end element") }
                let element = stack.removeLast()
                stack[stack.count - 1].children.append(
                    (element.name, value(of: element.name, children: element.children, text: element.text, listElements)))
            }
        }
        guard stack.count == 1 else { throw AWSError.malformedResponse("the XML response ended inside an element") }
        return value(of: "", children: stack[0].children, text: "", [])
    }

    private static func value(
        of name: String, children: [(String, JSONValue)], text: String, _ listElements: Set<String>
    ) -> JSONValue {
        if children.isEmpty {
            return text.isEmpty && listElements.contains(name) ? .array([]) : .string(text)
        }
        if children.allSatisfy({ $0.0 == "member" || $0.0 == "entry" }) {
            return .array(children.map(\.1))
        }
        // Grouped in one pass, each child appended in place: a repeated element (a flattened
        // list) becomes an array of all its occurrences, a single one stays itself.
        var grouped: [String: [JSONValue]] = [:]
        for (childName, child) in children {
            grouped[childName, default: []].append(child)
        }
        return .object(grouped.mapValues { $0.count == 1 ? $0[0] : .array($0) })
    }
}
