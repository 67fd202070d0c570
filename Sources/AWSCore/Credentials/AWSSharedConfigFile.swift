/// Parses the AWS shared `config` and `credentials` files (INI) as the SDKs do.
///
/// - Sections: `[name]` in the credentials file; `[default]`, `[profile name]` (and
///   `[profile default]`, which wins over `[default]`) in the config file. Other sections
///   (`[sso-session x]`, `[services x]`) are not profiles and are ignored.
/// - `key = value`; keys are compared case-insensitively; a later key wins.
/// - Whole-line comments start with `#` or `;`; in a value, ` #` or ` ;` starts a comment.
/// - Indented lines continue a property (sub-properties such as `s3 =`): ignored here.
enum AWSSharedConfigFile {
    enum Kind {
        case config, credentials
    }

    /// Profile name → its properties.
    static func parse(_ text: String, kind: Kind) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        // Properties of `[profile default]` win over `[default]`, wherever they appear.
        var explicitDefault: [String: String] = [:]
        var hasExplicitDefault = false
        var current: (name: String, isExplicitDefault: Bool)?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                current = section(line, kind: kind)
                if current?.isExplicitDefault == true { hasExplicitDefault = true }
                if let current, !current.isExplicitDefault, profiles[current.name] == nil { profiles[current.name] = [:] }
                continue
            }
            guard let current, let first = rawLine.first, !first.isWhitespace else { continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else { continue }
            let value = stripComment(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if current.isExplicitDefault {
                explicitDefault[key] = value
            } else {
                profiles[current.name, default: [:]][key] = value
            }
        }
        if hasExplicitDefault {
            profiles["default"] = explicitDefault
        }
        return profiles
    }

    /// The profile a section header names, or `nil` for sections that are not profiles.
    private static func section(_ line: String, kind: Kind) -> (name: String, isExplicitDefault: Bool)? {
        guard let close = line.firstIndex(of: "]") else { return nil }
        let inner = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
        guard !inner.isEmpty else { return nil }
        switch kind {
        case .credentials:
            return (inner, false)
        case .config:
            if inner == "default" { return ("default", false) }
            let words = inner.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard words.count == 2, words[0] == "profile" else { return nil }
            let name = words[1].trimmingCharacters(in: .whitespaces)
            return (name, name == "default")
        }
    }

    private static func stripComment(_ value: Substring) -> String {
        var previous: Character = " "
        var result = ""
        for character in value {
            if (character == "#" || character == ";") && previous.isWhitespace { break }
            result.append(character)
            previous = character
        }
        return result
    }
}
