import TextFormats

/// What an envelope's `account` and `region` may say, shared by the worker that stamps them and
/// the gateways that filter on them.
public enum EnvelopeTarget {
    /// The `region` of the envelopes of a stream whose AWS API is not regional (`aws-costs` and
    /// `aws-health`, polled once per account when the worker has `targets`).
    public static let globalRegion = "global"

    /// Whether `text` is an AWS account id as envelopes carry it (``AWSIdentifierSyntax``).
    public static func isAccountID(_ text: String) -> Bool {
        AWSIdentifierSyntax.isAccountID(text)
    }

    /// Whether `text` names an AWS Region (``AWSIdentifierSyntax``). Not ``globalRegion``, which
    /// only envelopes carry.
    public static func isRegionName(_ text: some StringProtocol) -> Bool {
        AWSIdentifierSyntax.isRegionName(text)
    }
}
