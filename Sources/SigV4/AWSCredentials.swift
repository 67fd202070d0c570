/// AWS credentials used to sign a request.
///
/// The description never contains the secret access key or the session token, so a
/// credentials value can appear in logs and error messages without leaking anything.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key ID (`AKIA...` or `ASIA...`). Not secret; it appears in every signature.
    public var accessKeyID: String
    /// The secret access key. Never printed.
    public var secretAccessKey: String
    /// The session token of temporary credentials, if any. Never printed.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension AWSCredentials: CustomStringConvertible {
    public var description: String {
        let token = sessionToken == nil ? "none" : "<redacted>"
        return "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(token))"
    }
}

extension AWSCredentials: CustomDebugStringConvertible {
    public var debugDescription: String { description }
}

extension AWSCredentials: CustomReflectable {
    /// Keeps `dump(_:)` and the debugger's default mirror from showing the secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "secretAccessKey": "<redacted>"], displayStyle: .struct)
    }
}
