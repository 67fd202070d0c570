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
}
