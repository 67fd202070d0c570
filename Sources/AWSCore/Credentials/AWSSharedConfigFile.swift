/// Parses the AWS shared `config` and `credentials` files (INI) as the SDKs do.
///
/// - Sections: `[name]` in the credentials file; `[default]`, `[profile name]` (and
///   `[profile default]`, which wins over `[default]`) in the config file, and its
///   `[sso-session name]` sections (IAM Identity Center). Other sections (`[services x]`) are
///   ignored.
/// - `key = value`; keys are compared case-insensitively; a later key wins.
/// - Whole-line comments start with `#` or `;`; in a value, ` #` or ` ;` starts a comment.
/// - Indented lines continue a property (sub-properties such as `s3 =`): ignored here.
enum AWSSharedConfigFile {
    enum Kind {
        case config, credentials
    }

    /// What one file holds: properties by profile name and by `sso-session` name.
    struct Contents {
        var profiles: [String: [String: String]] = [:]
        var ssoSessions: [String: [String: String]] = [:]
    }

    /// A section a header opens.
    private enum Section {
        case profile(String, isExplicitDefault: Bool)
        case ssoSession(String)
    }

    static func parse(_ text: String, kind: Kind) -> Contents {
        var profiles: [String: [String: String]] = [:]
        var ssoSessions: [String: [String: String]] = [:]
        // Properties of `[profile default]` win over `[default]`, wherever they appear.
        var explicitDefault: [String: String] = [:]
        var hasExplicitDefault = false
        var current: Section?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                current = section(line, kind: kind)
                switch current {
                case .profile(_, isExplicitDefault: true): hasExplicitDefault = true
                case .profile(let name, isExplicitDefault: false): profiles[name] = profiles[name] ?? [:]
                case .ssoSession(let name): ssoSessions[name] = ssoSessions[name] ?? [:]
                case nil: break
                }
                continue
            }
            guard let current, let first = rawLine.first, !first.isWhitespace else { continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else { continue }
            let value = stripComment(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            switch current {
            case .profile(_, isExplicitDefault: true): explicitDefault[key] = value
            case .profile(let name, isExplicitDefault: false): profiles[name, default: [:]][key] = value
            case .ssoSession(let name): ssoSessions[name, default: [:]][key] = value
            }
        }
        if hasExplicitDefault {
            profiles["default"] = explicitDefault
        }
        return Contents(profiles: profiles, ssoSessions: ssoSessions)
    }

    /// The profile or SSO session a section header names, or `nil` for other sections.
    private static func section(_ line: String, kind: Kind) -> Section? {
        guard let close = line.firstIndex(of: "]") else { return nil }
        let inner = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
        guard !inner.isEmpty else { return nil }
        switch kind {
        case .credentials:
            return .profile(inner, isExplicitDefault: false)
        case .config:
            if inner == "default" { return .profile("default", isExplicitDefault: false) }
            let words = inner.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard words.count == 2 else { return nil }
            let name = words[1].trimmingCharacters(in: .whitespaces)
            switch words[0] {
            case "profile": return .profile(name, isExplicitDefault: name == "default")
            case "sso-session": return .ssoSession(name)
            default: return nil
            }
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
