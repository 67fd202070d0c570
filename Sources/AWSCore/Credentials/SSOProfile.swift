/// The IAM Identity Center settings of one shared-config profile, validated.
public struct SSOProfile: Sendable, Equatable {
    public var profileName: String
    /// `sso_session`: the `[sso-session name]` section the start URL and region come from;
    /// `nil` for a legacy profile that sets them itself.
    public var sessionName: String?
    public var startURL: String
    /// `sso_region`: where the portal is.
    public var region: String
    public var accountID: String
    public var roleName: String

    /// Reads the profile's `sso_*` keys (and its session's), naming the key that is missing or wrong.
    static func read(
        profile name: String, properties: [String: String], sessions: [String: [String: String]], configFileName: String
    ) throws(AWSError) -> SSOProfile {
        func value(_ key: String, in properties: [String: String]) -> String? {
            guard let text = properties[key], !text.isEmpty else { return nil }
            return text
        }
        func failure(_ message: String) -> AWSError { AWSError(kind: .credentials, message: message) }
        let sessionName = value("sso_session", in: properties)
        let source: [String: String]
        let sourceName: String
        if let sessionName {
            guard let session = sessions[sessionName] else {
                throw failure(
                    "sso_session \(sessionName) of profile \(name) has no [sso-session \(sessionName)] section in \(configFileName)"
                )
            }
            source = session
            sourceName = "[sso-session \(sessionName)]"
        } else {
            source = properties
            sourceName = "profile \(name)"
        }
        guard let startURL = value("sso_start_url", in: source) else { throw failure("\(sourceName) has no sso_start_url") }
        guard startURL.hasPrefix("https://"), startURL.utf8.count <= 512 else {
            throw failure("sso_start_url of \(sourceName) is not an https URL")
        }
        guard let region = value("sso_region", in: source) else { throw failure("\(sourceName) has no sso_region") }
        guard AWSRegion.isValid(region) else { throw failure("sso_region of \(sourceName) is not a region name: '\(region)'") }
        guard let accountID = value("sso_account_id", in: properties) else {
            throw failure("profile \(name) has no sso_account_id")
        }
        guard accountID.utf8.count == 12, accountID.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw failure("sso_account_id of profile \(name) is not a 12-digit account id: '\(accountID)'")
        }
        guard let roleName = value("sso_role_name", in: properties) else { throw failure("profile \(name) has no sso_role_name") }
        guard (1...64).contains(roleName.utf8.count), roleName.utf8.allSatisfy(Self.isRoleNameByte) else {
            throw failure("sso_role_name of profile \(name) is not an IAM role name: '\(roleName)'")
        }
        return SSOProfile(
            profileName: name, sessionName: sessionName, startURL: startURL, region: region, accountID: accountID,
            roleName: roleName)
    }

    /// IAM role names: letters, digits and `+=,.@_-`.
    private static func isRoleNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "@"), UInt8(ascii: "_"),
            UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
