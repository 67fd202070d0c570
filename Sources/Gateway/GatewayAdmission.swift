/// Who holds a slot in the gateway: the connection count against `maxConnections`, and the
/// budgets of connections that have not authenticated yet.
///
/// `/ws` and `/events` authenticate before they are admitted, so they only ever take a counted
/// slot. An Engine.IO session starts at its handshake, before any token (the token comes with the
/// namespace CONNECT): it is admitted as *pending*, against a separate, small budget in total and
/// per client address, and moves to a counted slot only when its CONNECT succeeds. So
/// unauthenticated handshakes, however many, never take a slot from an authenticated client.
///
/// A plain value, mutated under the hub's lock; every decision is a method a test can drive.
struct GatewayAdmission: Sendable {
    struct Limits: Sendable {
        var maxConnections: Int
        var maxPendingHandshakes: Int
        var maxPendingHandshakesPerAddress: Int
    }

    /// Why a connection was not admitted.
    enum Refusal: Sendable, Equatable {
        /// The gateway is shutting down (decided by the hub, which knows).
        case draining
        /// `maxConnections` counted connections are open.
        case connectionLimit
        /// `maxPendingHandshakes` sessions are waiting for their CONNECT.
        case pendingLimit
        /// `maxPendingHandshakesPerAddress` sessions from this client address are waiting.
        case pendingLimitPerAddress
    }

    let limits: Limits
    /// Connections holding a counted slot.
    private(set) var admittedCount = 0
    private var admitted: Set<ConnectionID> = []
    /// Pending connections and the address each counts against.
    private var pending: [ConnectionID: ClientAddress] = [:]
    private var pendingByAddress: [ClientAddress: Int] = [:]

    init(limits: Limits) {
        self.limits = limits
    }

    var pendingCount: Int { pending.count }

    var hasCapacity: Bool { admittedCount < limits.maxConnections }

    /// Whether a new pending connection from `address` would be admitted now.
    func pendingRefusal(from address: ClientAddress) -> Refusal? {
        if pending.count >= limits.maxPendingHandshakes { return .pendingLimit }
        if pendingByAddress[address, default: 0] >= limits.maxPendingHandshakesPerAddress { return .pendingLimitPerAddress }
        return nil
    }

    /// Takes a counted slot for an authenticated connection.
    mutating func admit(_ id: ConnectionID) -> Refusal? {
        guard !admitted.contains(id) else { return nil }
        guard hasCapacity else { return .connectionLimit }
        admitted.insert(id)
        admittedCount += 1
        return nil
    }

    /// Takes a pending slot for a connection that has not authenticated yet.
    mutating func admitPending(_ id: ConnectionID, from address: ClientAddress) -> Refusal? {
        if let refusal = pendingRefusal(from: address) { return refusal }
        pending[id] = address
        pendingByAddress[address, default: 0] += 1
        return nil
    }

    /// A pending connection authenticated: it leaves the pending budget for a counted slot, or
    /// stays pending when the connection limit is reached.
    mutating func promote(_ id: ConnectionID) -> Refusal? {
        guard pending[id] != nil else { return admit(id) }
        if let refusal = admit(id) { return refusal }
        releasePending(id)
        return nil
    }

    /// The connection is gone: whatever slot it held is free.
    mutating func release(_ id: ConnectionID) {
        if admitted.remove(id) != nil { admittedCount -= 1 }
        releasePending(id)
    }

    private mutating func releasePending(_ id: ConnectionID) {
        guard let address = pending.removeValue(forKey: id) else { return }
        let left = pendingByAddress[address, default: 1] - 1
        pendingByAddress[address] = left > 0 ? left : nil
    }
}
