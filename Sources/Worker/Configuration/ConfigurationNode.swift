import Foundation
import Yams

/// A node of the YAML configuration with the path it was found at, read into typed values
/// with errors that name the key.
struct ConfigurationNode {
    let node: Node
    let path: String

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The members of a mapping; a key not in `allowed` is an error (a typo must not pass silently).
    func mapping(allowed: Set<String>) throws(ConfigurationError) -> [String: ConfigurationNode] {
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(key: path.isEmpty ? "(file)" : path, reason: "expected a mapping of keys")
        }
        var members: [String: ConfigurationNode] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw ConfigurationError(key: path, reason: "keys must be strings") }
            guard allowed.contains(name) else {
                throw ConfigurationError(
                    key: child(name), reason: "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            members[name] = ConfigurationNode(node: value, path: child(name))
        }
        return members
    }

    /// The members of a mapping whose keys are data (metric dimensions, stream names).
    func freeMapping() throws(ConfigurationError) -> [(String, ConfigurationNode)] {
        guard case .mapping(let mapping) = node else { throw ConfigurationError(key: path, reason: "expected a mapping") }
        var members: [(String, ConfigurationNode)] = []
        for (key, value) in mapping {
            guard let name = key.string else { throw ConfigurationError(key: path, reason: "keys must be strings") }
            members.append((name, ConfigurationNode(node: value, path: child(name))))
        }
        return members
    }

    func sequence() throws(ConfigurationError) -> [ConfigurationNode] {
        guard case .sequence(let sequence) = node else { throw ConfigurationError(key: path, reason: "expected a list") }
        return sequence.enumerated().map { ConfigurationNode(node: $1, path: "\(path)[\($0)]") }
    }

    /// YAML's null (`null`, `~` or nothing), which `--check-config` prints for an unset option.
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw ConfigurationError(key: path, reason: "expected a text value") }
        return scalar.string
    }

    func strings() throws(ConfigurationError) -> [String] {
        var values: [String] = []
        for item in try sequence() { values.append(try item.string()) }
        return values
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigurationError(key: path, reason: "expected true or false")
        }
    }

    func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = Int(try string()), range.contains(value) else {
            throw ConfigurationError(key: path, reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func double(in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let value = Double(try string()), range.contains(value) else {
            throw ConfigurationError(key: path, reason: "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `500ms`, `15s`, `5m`, `6h`, `1d`, or a bare number of seconds.
    func duration(in range: ClosedRange<Duration>) throws(ConfigurationError) -> Duration {
        let text = try string()
        guard let duration = Self.parseDuration(text), range.contains(duration) else {
            throw ConfigurationError(
                key: path,
                reason:
                    "expected a duration such as 15s, 5m or 6h, from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            )
        }
        return duration
    }

    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number >= 0, number.isFinite else { return nil }
            return .milliseconds(Int64((number * scale * 1000).rounded()))
        }
        guard let seconds = Double(trimmed), seconds >= 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A duration as the file writes it (`15s`, `6h`, `500ms`).
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where milliseconds % size == 0 && milliseconds >= size {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
