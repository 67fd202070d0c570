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
}
