/// One source of the chain: its name in messages and how to find it.
struct CredentialChainLink: Sendable {
    let name: String
    let resolve: @Sendable () async -> CredentialChainOutcome
}
