import Foundation

/// The shared `credentials` and `config` files as the environment locates them
/// (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, default `~/.aws/...` under `HOME`), and the
/// profile it selects (`AWS_PROFILE`, default `default`).
///
/// A profile's properties merge both files; the credentials file wins for a key set in both.
public struct AWSSharedConfig: Sendable {
    /// The selected profile's name.
    public let profileName: String
    /// Every profile found, by name, properties keyed in lower case.
    public let profiles: [String: [String: String]]
    /// The config file's `[sso-session name]` sections, by name (IAM Identity Center).
    public let ssoSessions: [String: [String: String]]
    /// The credentials file as named for messages (`~/.aws/credentials` unless overridden).
    public let credentialsFileName: String
    /// The config file as named for messages.
    public let configFileName: String
    /// Files that exist but could not be read, with the reason.
    public let problems: [String]

    public init(
        profileName: String, profiles: [String: [String: String]], ssoSessions: [String: [String: String]] = [:],
        credentialsFileName: String = "~/.aws/credentials", configFileName: String = "~/.aws/config", problems: [String] = []
    ) {
        self.profileName = profileName
        self.profiles = profiles
        self.ssoSessions = ssoSessions
        self.credentialsFileName = credentialsFileName
        self.configFileName = configFileName
        self.problems = problems
    }

    /// Reads both files. Missing files are normal (no profiles); unreadable ones are listed in ``problems``.
    public static func load(environment: [String: String]) -> AWSSharedConfig {
        let profileName = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let credentialsName = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "~/.aws/credentials"
        let configName = environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "~/.aws/config"
        var problems: [String] = []
        let config = read(configName, kind: .config, home: environment["HOME"], problems: &problems)
        let credentials = read(credentialsName, kind: .credentials, home: environment["HOME"], problems: &problems)
        var merged = config.profiles
        for (name, properties) in credentials.profiles {
            merged[name, default: [:]].merge(properties) { _, fromCredentials in fromCredentials }
        }
        return AWSSharedConfig(
            profileName: profileName, profiles: merged, ssoSessions: config.ssoSessions, credentialsFileName: credentialsName,
            configFileName: configName, problems: problems)
    }

    /// The selected profile's properties, if it exists in either file.
    public var profile: [String: String]? { profiles[profileName] }

    /// The selected profile's `region`, for ``AWSRegion/resolve(explicit:environment:profileRegion:)``.
    public var region: String? {
        profile?["region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `~` and `~/...` expanded with `home`; `nil` when the path needs a home that is not set.
    static func expand(_ path: String, home: String?) -> String? {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        guard let home, !home.isEmpty else { return nil }
        return home + path.dropFirst()
    }

    private static func read(
        _ name: String, kind: AWSSharedConfigFile.Kind, home: String?, problems: inout [String]
    ) -> AWSSharedConfigFile.Contents {
        guard let path = expand(name, home: home) else {
            problems.append("\(name): HOME is not set")
            return AWSSharedConfigFile.Contents()
        }
        switch CredentialDecoding.readSmallFile(path, limit: 4 * 1024 * 1024) {
        case .success(let bytes):
            return AWSSharedConfigFile.parse(String(decoding: bytes, as: UTF8.self), kind: kind)
        case .failure(.missing):
            return AWSSharedConfigFile.Contents()
        case .failure(let failure):
            problems.append("\(name) \(failure)")
            return AWSSharedConfigFile.Contents()
        }
    }
}
