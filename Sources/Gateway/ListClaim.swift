#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A list of strings as a claim or an op field carries it: a JSON list, or one string of
/// comma-separated items (`"*"` reads as `["*"]`). The `streams`, `accounts` and `regions` claims;
/// the `/ws` subscribe's `accounts` and `regions`.
struct ListClaim: Codable, Sendable, Equatable {
    var values: [String]

    init(_ values: [String]) { self.values = values }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) {
            values = list
        } else {
            values = try container.decode(String.self).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
