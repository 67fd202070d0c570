/// Why a message on a bus channel was dropped instead of relayed: the `reason` label of
/// `gateway_bus_messages_dropped_total`.
public struct BusDropReason: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Backing: String, CaseIterable {
        case notJSON = "not-json"
        case missingID = "missing-id"
        case badID = "bad-id"
        case unknownChannel = "unknown-channel"
    }

    private let backing: Backing

    /// Not one well-formed JSON object.
    public static var notJSON: Self { Self(backing: .notJSON) }
    /// A JSON object without a top-level `"id"`.
    public static var missingID: Self { Self(backing: .missingID) }
    /// An `"id"` that is not a message id string like `"1732665600000-0"`.
    public static var badID: Self { Self(backing: .badID) }
    /// A channel that names no stream.
    public static var unknownChannel: Self { Self(backing: .unknownChannel) }

    public static var allCases: [BusDropReason] { Backing.allCases.map(Self.init(backing:)) }

    /// The label value (`not-json`, `missing-id`, `bad-id`, `unknown-channel`).
    public var description: String { backing.rawValue }
}
