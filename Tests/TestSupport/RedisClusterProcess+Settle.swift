import Foundation

extension RedisClusterProcess {
    /// Waits until the cluster is settled: every running node reports `cluster_state:ok`, sees
    /// every other running node healthy and connected, and agrees on roles and slots; running
    /// primaries serve all 16384 slots once; every replica is in sync with its primary.
    public func waitUntilSettled() async throws {
        try await self.waitUntilSettled(after: "waiting") { _ in nil }
    }

    /// Polls every 50 ms until the cluster is settled and `expectation` (nil when met, else what
    /// is missing) holds, for at most the settle timeout; returns the agreed nodes.
    @discardableResult
    func waitUntilSettled(after action: String, until expectation: ([Node]) -> String?) async throws -> [Node] {
        let start = ContinuousClock.now
        let deadline = start + self.options.settleTimeout
        var reason = "not looked at yet"
        while ContinuousClock.now < deadline {
            switch await self.observe() {
            case .settled(let nodes):
                guard let missing = expectation(nodes) else { return nodes }
                reason = missing
            case .unsettled(let why):
                reason = why
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisClusterProcessError(
            message: """
                the cluster did not settle within \(self.options.settleTimeout) after \(action); last seen: \(reason)
                \(self.logTails())
                """)
    }

    enum Observation {
        case settled([Node])
        case unsettled(String)
    }

    /// One look at every running node: the layout they all agree on, or the first reason they do not.
    func observe() async -> Observation {
        let running = Set(self.runningPorts)
        guard let first = running.min() else { return .unsettled("no node runs") }
        var agreed: [Node] = []
        for port in running.sorted() {
            let replies: [Reply]
            do {
                replies = try await self.send([["CLUSTER", "INFO"], ["CLUSTER", "NODES"], ["INFO", "replication"]], to: port)
            } catch {
                return .unsettled("127.0.0.1:\(port): \(error)")
            }
            guard replies.count == 3, let info = replies[0].string, let text = replies[1].string,
                let replication = replies[2].string
            else { return .unsettled("127.0.0.1:\(port) answered \(replies)") }
            let state = Self.fields(info)["cluster_state"] ?? "?"
            guard state == "ok" else { return .unsettled("127.0.0.1:\(port) reports cluster_state:\(state)") }
            let view: [Node]
            do {
                view = try ClusterNodesView(parsing: text).nodes(seenFrom: port, running: running)
            } catch {
                return .unsettled("\(error)")
            }
            if port == first {
                agreed = view
            } else if view != agreed {
                return .unsettled("127.0.0.1:\(port) sees \(Self.summary(view)); 127.0.0.1:\(first) sees \(Self.summary(agreed))")
            }
            if case .replica(let primary) = view.first(where: { $0.port == port })?.role {
                let fields = Self.fields(replication)
                guard fields["master_port"] == String(primary), fields["master_link_status"] == "up" else {
                    return .unsettled(
                        "replica 127.0.0.1:\(port) not in sync with \(primary) (\(fields["master_link_status"] ?? "?"))")
                }
            }
        }
        var served = [Bool](repeating: false, count: Self.slotCount)
        for primary in agreed where primary.isPrimary {
            for range in primary.slots {
                for slot in range where served.indices.contains(slot) {
                    if served[slot] { return .unsettled("slot \(slot) is served twice") }
                    served[slot] = true
                }
            }
        }
        if let missing = served.firstIndex(of: false) {
            return .unsettled("slot \(missing) is served by no running primary")
        }
        return .settled(agreed)
    }

    /// `name:value` lines of `INFO` and `CLUSTER INFO`.
    static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    /// `7001 primary 0-5460, 7004 replica of 7001, …` for error messages.
    static func summary(_ nodes: [Node]) -> String {
        nodes.map { node in
            switch node.role {
            case .primary:
                "\(node.port) primary \(node.slots.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ","))"
            case .replica(let primary):
                "\(node.port) replica of \(primary)"
            }
        }.joined(separator: ", ")
    }
}

/// One node's `CLUSTER NODES` answer:
/// `<id> <ip:port@cport> <flags> <primary id or -> <ping> <pong> <epoch> <link> <slot>…`.
struct ClusterNodesView {
    struct Entry {
        var id: String
        var port: Int
        var flags: Set<Substring>
        var primaryID: String?
        var isConnected: Bool
        var slots: [ClosedRange<Int>]
    }

    var entries: [Entry]

    init(parsing text: String) throws {
        self.entries = try text.split(whereSeparator: \.isNewline).map { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 8 else {
                throw RedisClusterProcessError(message: "CLUSTER NODES line with \(fields.count) fields: \(line)")
            }
            // `127.0.0.1:7001@17001` or `127.0.0.1:7001@17001,hostname`.
            let address = fields[1].split(separator: "@").first ?? ""
            guard let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
                throw RedisClusterProcessError(message: "CLUSTER NODES line without a port: \(line)")
            }
            var slots: [ClosedRange<Int>] = []
            // `[slot->-id]` and `[slot-<-id]` mark a migration, not a served slot.
            for token in fields.dropFirst(8) where !token.hasPrefix("[") {
                let bounds = token.split(separator: "-").compactMap { Int($0) }
                guard let lower = bounds.first, let upper = bounds.last, lower <= upper else {
                    throw RedisClusterProcessError(message: "CLUSTER NODES line with a bad slot \(token): \(line)")
                }
                slots.append(lower...upper)
            }
            return Entry(
                id: String(fields[0]), port: port, flags: Set(fields[2].split(separator: ",")),
                primaryID: fields[3] == "-" ? nil : String(fields[3]), isConnected: fields[7] == "connected", slots: slots)
        }
    }

    /// The running nodes as the node on `port` sees them, by port; throws why they are not settled
    /// in its view (a running node unknown, failing, in handshake or disconnected; a replica of a
    /// node that does not run).
    func nodes(seenFrom port: Int, running: Set<Int>) throws -> [RedisClusterProcess.Node] {
        guard self.entries.first(where: { $0.flags.contains("myself") })?.port == port else {
            throw RedisClusterProcessError(message: "127.0.0.1:\(port) does not list itself as myself")
        }
        let portsByID = Dictionary(self.entries.map { ($0.id, $0.port) }, uniquingKeysWith: { first, _ in first })
        return try running.sorted().map { other in
            guard let entry = self.entries.first(where: { $0.port == other }) else {
                throw RedisClusterProcessError(message: "127.0.0.1:\(port) does not know 127.0.0.1:\(other) yet")
            }
            let trouble = entry.flags.intersection(["fail", "fail?", "handshake", "noaddr"])
            guard trouble.isEmpty, entry.isConnected || entry.flags.contains("myself") else {
                throw RedisClusterProcessError(
                    message: "127.0.0.1:\(port) sees 127.0.0.1:\(other) as \(entry.flags.sorted().joined(separator: ",")), "
                        + (entry.isConnected ? "connected" : "disconnected"))
            }
            let role: RedisClusterProcess.Node.Role
            if entry.flags.contains("master") {
                role = .primary
            } else if let primaryID = entry.primaryID, let primary = portsByID[primaryID], running.contains(primary) {
                role = .replica(of: primary)
            } else {
                throw RedisClusterProcessError(
                    message:
                        "127.0.0.1:\(port) sees 127.0.0.1:\(other) following \(entry.primaryID ?? "nothing"), not a running node")
            }
            return RedisClusterProcess.Node(port: other, id: entry.id, role: role, slots: entry.slots)
        }
    }
}
