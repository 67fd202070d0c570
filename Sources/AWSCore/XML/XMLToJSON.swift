/// Turns an XML document into a `JSONValue` the way the AWS CLI shows query-protocol responses:
/// an element with only text becomes a string, an element with children an object, and the
/// `member` (and `entry`) wrappers of lists become arrays. XML has no types, so every leaf
/// stays a string.
public enum XMLToJSON {
    public static func convert(_ bytes: [UInt8]) throws(AWSError) -> JSONValue {
        let reader = try XMLStreamReader(bytes: bytes)
        // A stack of open elements: name, collected children (in order) and text.
        var stack: [(name: String, children: [(String, JSONValue)], text: String)] = [("", [], "")]
        while let node = try reader.next() {
            switch node {
            case .startElement(let name, let isEmpty):
                if isEmpty {
                    stack[stack.count - 1].children.append((name, .string("")))
                } else {
                    stack.append((name, [], ""))
                }
            case .text(let text):
                stack[stack.count - 1].text += text
            case .endElement:
                guard stack.count > 1 else { throw AWSError.malformedResponse("unbalanced XML end element") }
                let element = stack.removeLast()
                stack[stack.count - 1].children.append((element.name, value(of: element.children, text: element.text)))
            }
        }
        guard stack.count == 1 else { throw AWSError.malformedResponse("the XML response ended inside an element") }
        return value(of: stack[0].children, text: "")
    }

    private static func value(of children: [(String, JSONValue)], text: String) -> JSONValue {
        if children.isEmpty { return .string(text) }
        if children.allSatisfy({ $0.0 == "member" || $0.0 == "entry" }) {
            return .array(children.map(\.1))
        }
        var counts: [String: Int] = [:]
        for (name, _) in children { counts[name, default: 0] += 1 }
        var object: [String: JSONValue] = [:]
        for (name, child) in children {
            guard counts[name, default: 0] > 1 else {
                object[name] = child
                continue
            }
            // A repeated element (a flattened list) becomes an array of all its occurrences.
            if case .array(let items) = object[name] {
                object[name] = .array(items + [child])
            } else {
                object[name] = .array([child])
            }
        }
        return .object(object)
    }
}
