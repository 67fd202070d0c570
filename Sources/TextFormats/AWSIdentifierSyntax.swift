/// The written form of the AWS identifiers that travel as text through every layer: account ids
/// (in envelopes, role ARNs, tokens' `accounts` claim, the demo's access keys) and Region names
/// (in envelopes, SigV4 scopes, the worker's `targets`, tokens' `regions` claim).
public enum AWSIdentifierSyntax {
    /// Whether `text` is an AWS account id: exactly 12 ASCII digits.
    public static func isAccountID(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Whether `text` names an AWS Region: 3 to 5 dash-separated parts of lowercase ASCII letters
    /// ending in a number of 1 or 2 digits, at most 32 bytes (`eu-west-1`, `us-gov-west-1`,
    /// `eu-isoe-west-1`).
    public static func isRegionName(_ text: some StringProtocol) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard (3...5).contains(parts.count), text.utf8.count <= 32, let number = parts.last, (1...2).contains(number.count),
            number.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return false }
        return parts.dropLast().allSatisfy { part in
            !part.isEmpty && part.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        }
    }

    /// The account and name of an IAM role ARN, `arn:<aws|aws-cn|aws-us-gov>:iam::<account>:role/<path/><name>`:
    /// its path and name of STS's characters (`[\w+=,.@-]` and `/`), `role/` and what follows at most 512 bytes.
    /// nil for anything else.
    public static func iamRole(arn: some StringProtocol) -> (account: String, name: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ["aws", "aws-cn", "aws-us-gov"].contains(parts[1]), parts[2] == "iam",
            parts[3].isEmpty, isAccountID(parts[4]), parts[5].hasPrefix("role/"), parts[5].utf8.count > 5,
            parts[5].utf8.count <= 512, !parts[5].hasSuffix("/"), parts[5].utf8.allSatisfy({ isSTSByte($0, extra: "/") }),
            let name = parts[5].split(separator: "/").last
        else { return nil }
        return (String(parts[4]), String(name))
    }

    /// Whether `text` is an STS `RoleSessionName`: 2 to 64 of `[\w+=,.@-]`.
    public static func isRoleSessionName(_ text: some StringProtocol) -> Bool {
        (2...64).contains(text.utf8.count) && text.utf8.allSatisfy { isSTSByte($0, extra: "") }
    }

    /// Whether `text` is an STS `ExternalId`: 2 to 1,224 of `[\w+=,.@:/-]`.
    public static func isExternalID(_ text: some StringProtocol) -> Bool {
        (2...1224).contains(text.utf8.count) && text.utf8.allSatisfy { isSTSByte($0, extra: ":/") }
    }

    /// The characters STS allows in role names, session names and external IDs: ASCII letters,
    /// digits and `_+=,.@-`, and `extra`.
    private static func isSTSByte(_ byte: UInt8, extra: StaticString) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "@"),
            UInt8(ascii: "-"):
            return true
        default:
            return extra.withUTF8Buffer { $0.contains(byte) }
        }
    }
}
