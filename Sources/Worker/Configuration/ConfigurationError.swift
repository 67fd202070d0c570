/// A configuration value that cannot be used: which key (a file path such as
/// `streams.aws-logs.interval`, or an environment variable) and why.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let reason: String

    public var description: String { "\(key): \(reason)" }
}
