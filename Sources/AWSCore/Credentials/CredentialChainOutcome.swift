/// What one link of the chain found.
enum CredentialChainOutcome: Sendable {
    /// Not configured here: the chain moves on; the reason goes into the "nothing found" error.
    case skipped(String)
    /// Configured: the chain uses this provider.
    case found(any CredentialProvider)
    /// Configured but broken: the chain stops with this error rather than fall through to a
    /// source the operator did not mean.
    case failed(AWSError)
}
