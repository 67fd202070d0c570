import Payloads

/// Where an event of an incremental stream is from when the API answers for more than the
/// target's own account and Region (a Security Hub administrator account sees its members'
/// findings, and with cross-Region aggregation those of every linked Region). Each payload holds
/// events of one origin, which becomes its envelope's `account` and `region`, so a gateway's
/// account and Region filters see each event under the account and Region it belongs to.
struct EventOrigin: Hashable, Sendable {
    /// A 12-digit account id, or nil: the target's.
    var account: String?
    /// A Region name, or nil: the target's.
    var region: String?

    /// The origin an item names, keeping only what is a well-formed account id and Region name
    /// (anything else from the API falls back to the target's); nil when neither is.
    init?(account: String?, region: String?) {
        self.account = account.flatMap { EnvelopeTarget.isAccountID($0) ? $0 : nil }
        self.region = region.flatMap { EnvelopeTarget.isRegionName($0) ? $0 : nil }
        if self.account == nil, self.region == nil { return nil }
    }
}
