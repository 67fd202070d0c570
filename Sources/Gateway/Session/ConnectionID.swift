import Synchronization

/// Identifies one client connection within the process.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    var description: String { String(value) }

    private static let next = Atomic<UInt64>(1)
    static func make() -> ConnectionID { ConnectionID(value: next.wrappingAdd(1, ordering: .relaxed).oldValue) }
}
