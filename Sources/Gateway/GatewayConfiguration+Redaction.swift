/// The gateway's configuration appears in logs (the service group prints its services at debug
/// level, and a `Gateway` value holds its configuration): the types that hold a key describe and
/// reflect themselves without it, as `AWSCredentials` does, so no printing path (`description`,
/// string interpolation of an enclosing value, `debugPrint`, `dump`, a debugger's mirror) shows
/// the HS256 secret.
extension GatewayConfiguration.Auth.Key: CustomStringConvertible {
    /// `HS256 secret from GATEWAY_JWT_SECRET (<redacted>)`, `RS256 public key from …`.
    public var description: String {
        switch backing {
        case .hs256(_, let configKey): return "HS256 secret from \(configKey) (<redacted>)"
        case .rs256(_, let configKey): return "RS256 public key from \(configKey)"
        case .es256(_, let configKey): return "ES256 public key from \(configKey)"
        }
    }
}

extension GatewayConfiguration.Auth.Key: CustomDebugStringConvertible {
    public var debugDescription: String { "Key(\(description))" }
}

extension GatewayConfiguration.Auth.Key: CustomReflectable {
    /// Keeps `dump(_:)` and reflection-based printing of an enclosing value from walking into
    /// the secret's bytes.
    public var customMirror: Mirror {
        Mirror(self, children: ["key": description], displayStyle: .struct)
    }
}

extension GatewayConfiguration.Auth.Mode: CustomStringConvertible {
    /// Which auth is in force: `anonymous`, `JWT (HS256 secret from GATEWAY_JWT_SECRET (<redacted>))`,
    /// or `JWT (no key configured)`.
    public var description: String {
        switch backing {
        case .anonymous: return "anonymous"
        case .required(.some(let key)): return "JWT (\(key))"
        case .required(.none): return "JWT (no key configured)"
        }
    }
}

extension GatewayConfiguration.Auth.Mode: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["mode": description], displayStyle: .struct) }
}
