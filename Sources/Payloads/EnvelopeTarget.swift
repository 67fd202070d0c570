/// What an envelope's `account` and `region` may say, shared by the worker that stamps them and
/// the gateways that filter on them.
public enum EnvelopeTarget {
    /// The `region` of the envelopes of a stream whose AWS API is not regional (`aws-costs` and
    /// `aws-health`, polled once per account when the worker has `targets`).
    public static let globalRegion = "global"

    /// Whether `text` is an AWS account id as envelopes carry it: exactly 12 ASCII digits.
    public static func isAccountID(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Whether `text` names an AWS Region: 3 to 5 dash-separated parts of lowercase ASCII letters
    /// ending in a number of 1 or 2 digits, at most 32 bytes (`eu-west-1`, `us-gov-west-1`,
    /// `eu-isoe-west-1`). Not ``globalRegion``, which only envelopes carry.
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
