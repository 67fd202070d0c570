/// The one error of the gateway: a code, a message that says what to do, and the context.
public struct GatewayError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case invalidConfiguration
        case busUnavailable
        case shuttingDown
    }

    private let code: Code
    public let message: String
    /// The configuration key concerned, when there is one.
    public let configKey: String?
    public let underlying: (any Error)?

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let configKey { text += " [\(configKey)]" }
        if let underlying { text += " (\(underlying))" }
        return text
    }

    /// A configuration value that cannot work; `configKey` names the setting to fix.
    public static func invalidConfiguration(_ message: String, configKey: String, underlying: (any Error)? = nil) -> Self {
        Self(code: .invalidConfiguration, message: message, configKey: configKey, underlying: underlying)
    }

    static func busUnavailable(_ message: String, underlying: (any Error)? = nil) -> Self {
        Self(code: .busUnavailable, message: message, configKey: nil, underlying: underlying)
    }

    static var shuttingDown: Self {
        Self(code: .shuttingDown, message: "the gateway is shutting down", configKey: nil, underlying: nil)
    }

    public static func == (lhs: GatewayError, rhs: GatewayError) -> Bool { lhs.code == rhs.code }
    public var isInvalidConfiguration: Bool { code == .invalidConfiguration }
}
