import Payloads

/// Polls one stream's AWS API and turns what it finds into payloads.
///
/// A collector is stateless between polls: everything it needs to continue is in the cursor,
/// which the worker stores atomically with each publish and hands back on the next poll (also
/// to a new leader after a failover).
public protocol Collector: Sendable {
    var stream: StreamName { get }

    /// Polls once, continuing from `cursor` (empty on the first poll ever). Returns the batches
    /// to publish, in order, each with the cursor that holds once it is published. An empty
    /// array means nothing new.
    func collect(from cursor: [String: String]) async throws -> [CollectedBatch]
}

/// One payload to publish and the cursor that holds after it.
public struct CollectedBatch: Sendable {
    /// The envelope `type` (`metrics`, `logs`, ...).
    public var type: String
    /// The payload, already JSON.
    public var data: [UInt8]
    public var cursor: [String: String]
    /// The AWS calls this batch cost and their estimated price in dollars, for the spend budget.
    public var cost: CollectionCost

    public init(type: String, data: [UInt8], cursor: [String: String], cost: CollectionCost = .zero) {
        self.type = type
        self.data = data
        self.cursor = cursor
        self.cost = cost
    }
}

/// AWS calls made and what they cost, by AWS's billing rules.
public struct CollectionCost: Sendable, Hashable {
    public var calls: Int
    public var dollars: Double

    public init(calls: Int, dollars: Double) {
        self.calls = calls
        self.dollars = dollars
    }

    public static let zero = CollectionCost(calls: 0, dollars: 0)

    public static func + (lhs: CollectionCost, rhs: CollectionCost) -> CollectionCost {
        CollectionCost(calls: lhs.calls + rhs.calls, dollars: lhs.dollars + rhs.dollars)
    }
}
