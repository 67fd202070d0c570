import AWSCapture
import AWSCore
import TextFormats

/// Which requests get which fault. A list of rules, tried in order; the first rule that selects a
/// request decides its fault. Read from a JSON file (`--faults FILE`) or `--fault` flags:
///
/// ```json
/// {"faults": [
///   {"operation": "LookupEvents", "requests": [1, 2], "kind": "throttle"},
///   {"operation": "GetMetricData", "every": 3, "kind": "service-unavailable"},
///   {"path": "/findings", "requests": [1], "kind": "slow-first-byte", "delayMilliseconds": 1500}
/// ]}
/// ```
///
/// A rule's filter (`operation`, `method`, `path`; all optional) picks the requests it counts; its
/// selector picks among those by 1-based position: `requests` (a list), `every` (every Nth: N, 2N, …),
/// or neither (all of them). Each rule counts the requests its filter matches, whether or not an
/// earlier rule faulted them.
public struct ReplayFaultSchedule: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        /// The operation's short name (`LookupEvents`) or full target (`…CloudTrail_20131101.LookupEvents`).
        public var operation: String?
        public var method: String?
        public var path: String?
        public var requests: [Int]?
        public var every: Int?
        public var fault: ReplayFault

        public init(
            operation: String? = nil,
            method: String? = nil,
            path: String? = nil,
            requests: [Int]? = nil,
            every: Int? = nil,
            fault: ReplayFault
        ) {
            self.operation = operation
            self.method = method
            self.path = path
            self.requests = requests
            self.every = every
            self.fault = fault
        }

        public func filters(_ key: CaptureRequestKey) -> Bool {
            if let operation, operation != key.operationName, operation != key.operation { return false }
            if let method, method.uppercased() != key.method { return false }
            if let path, path != key.path { return false }
            return true
        }

        public func selects(position: Int) -> Bool {
            if let requests { return requests.contains(position) }
            if let every { return every > 0 && position % every == 0 }
            return true
        }
    }

    public static let maximumRules = 1000
    public var rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    public static let none = ReplayFaultSchedule()

    // MARK: Parsing

    /// Parses the schedule file: `{"faults": [rule, …]}`.
    public static func parse(_ bytes: [UInt8]) throws(CaptureError) -> ReplayFaultSchedule {
        let document: JSONDocument
        do {
            document = try JSONDocument.parse(bytes)
        } catch {
            throw CaptureError(.invalidSchedule, "not valid JSON: \(error)")
        }
        guard case .array(let values)? = document["faults"] else {
            throw CaptureError(.invalidSchedule, "expected {\"faults\": [ … ]}")
        }
        guard values.count <= maximumRules else { throw CaptureError(.invalidSchedule, "more than \(maximumRules) rules") }
        var rules: [Rule] = []
        for (index, value) in values.enumerated() {
            rules.append(try parseRule(value, label: "faults[\(index)]"))
        }
        return ReplayFaultSchedule(rules: rules)
    }

    /// Parses one `--fault` flag: comma-separated `name=value` pairs with the rule's member names;
    /// `requests` takes `+`-separated positions. Example: `kind=throttle,operation=LookupEvents,requests=1+2`.
    public static func parseFlag(_ text: String) throws(CaptureError) -> Rule {
        var members: [JSONDocument.Member] = []
        for pair in text.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else {
                throw CaptureError(.invalidSchedule, "--fault \(text): expected name=value pairs")
            }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            switch name {
            case "requests":
                members.append(.init(name, .array(value.split(separator: "+").map { .number(String($0)) })))
            case "every", "status", "delayMilliseconds", "skewSeconds", "sendBytes":
                members.append(.init(name, .number(value)))
            default:
                members.append(.init(name, .string(value)))
            }
        }
        return try parseRule(.object(members), label: "--fault \(text)")
    }

    static func parseRule(_ value: JSONDocument, label: String) throws(CaptureError) -> Rule {
        guard case .object(let members) = value else { throw CaptureError(.invalidSchedule, "\(label): expected an object") }
        let known: Set<String> = [
            "operation", "method", "path", "requests", "every", "kind", "status", "code", "message", "delayMilliseconds",
            "skewSeconds", "sendBytes",
        ]
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw CaptureError(
                .invalidSchedule, "\(label): unknown member \"\(unknown.key)\"; known: \(known.sorted().joined(separator: ", "))")
        }
        guard let kindName = value["kind"]?.stringValue, let kind = ReplayFault.Kind(rawValue: kindName) else {
            let kinds = ReplayFault.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw CaptureError(.invalidSchedule, "\(label): \"kind\" must be one of \(kinds)")
        }
        func integer(_ name: String) throws(CaptureError) -> Int? {
            guard let member = value[name] else { return nil }
            guard case .number(let text) = member, let number = Int(text) else {
                throw CaptureError(.invalidSchedule, "\(label): \"\(name)\" must be an integer")
            }
            return number
        }
        var requests: [Int]?
        if let list = value["requests"] {
            guard case .array(let items) = list else {
                throw CaptureError(.invalidSchedule, "\(label): \"requests\" must be a list")
            }
            var positions: [Int] = []
            for item in items {
                guard case .number(let text) = item, let position = Int(text), position >= 1 else {
                    throw CaptureError(.invalidSchedule, "\(label): \"requests\" holds 1-based positions")
                }
                positions.append(position)
            }
            requests = positions
        }
        let every = try integer("every")
        if let every, every < 1 { throw CaptureError(.invalidSchedule, "\(label): \"every\" must be at least 1") }
        if requests != nil, every != nil {
            throw CaptureError(.invalidSchedule, "\(label): give \"requests\" or \"every\", not both")
        }
        let fault = ReplayFault(
            kind,
            status: try integer("status"),
            code: value["code"]?.stringValue,
            message: value["message"]?.stringValue,
            delayMilliseconds: try integer("delayMilliseconds") ?? 2000,
            skewSeconds: try integer("skewSeconds") ?? 1800,
            sendBytes: try integer("sendBytes")
        )
        return Rule(
            operation: value["operation"]?.stringValue,
            method: value["method"]?.stringValue,
            path: value["path"]?.stringValue,
            requests: requests,
            every: every,
            fault: fault
        )
    }
}

/// The schedule with its counters: a value type, mutated by whoever serialises requests.
public struct ReplayFaultPlanner: Sendable {
    public let schedule: ReplayFaultSchedule
    private var counts: [Int]

    public init(schedule: ReplayFaultSchedule) {
        self.schedule = schedule
        self.counts = Array(repeating: 0, count: schedule.rules.count)
    }

    /// Counts the request against every rule that filters it; returns the first selected rule's fault.
    public mutating func fault(for key: CaptureRequestKey) -> ReplayFault? {
        var chosen: ReplayFault?
        for (index, rule) in schedule.rules.enumerated() where rule.filters(key) {
            counts[index] += 1
            if chosen == nil, rule.selects(position: counts[index]) { chosen = rule.fault }
        }
        return chosen
    }
}
