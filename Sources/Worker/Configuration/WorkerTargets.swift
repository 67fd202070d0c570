/// The AWS accounts and Regions one worker polls (`targets` in the file). With none configured
/// the worker polls one target: the base credential chain in `AWS_REGION`, as it always has.
public struct WorkerTargets: Sendable, Equatable {
    /// One account: reached through the base credential chain directly (no `roleARN`) or by
    /// `sts:AssumeRole` into `roleARN`.
    public struct Account: Sendable, Equatable {
        /// The 12-digit account id, stamped on every envelope of this account.
        public var id: String
        /// The role to assume in the account; nil: the base credential chain's own credentials
        /// (which must then be this account's).
        public var roleARN: String?
        /// The external ID the role's trust policy asks for (`sts:ExternalId`).
        public var externalID: String?
        public var sessionName: String
        /// How long each assumed-role session lasts (nil: STS's default, one hour).
        public var duration: Duration?
        /// The Regions polled in this account (the file's account `regions`, else `targets.regions`).
        public var regions: [String]

        public init(
            id: String, roleARN: String? = nil, externalID: String? = nil, sessionName: String = WorkerTargets.defaultSessionName,
            duration: Duration? = nil, regions: [String]
        ) {
            self.id = id
            self.roleARN = roleARN
            self.externalID = externalID
            self.sessionName = sessionName
            self.duration = duration
            self.regions = regions
        }
    }

    /// The default `sessionName` of an assumed role (CloudTrail shows it in the member account).
    public static let defaultSessionName = "aws-realtime"
    /// The range STS allows for `DurationSeconds` (a role's own maximum may be lower).
    public static let durationRange: ClosedRange<Duration> = .seconds(900)...(.seconds(12 * 3600))
    /// At most this many accounts, and this many Regions per account: every target is a poll loop
    /// per stream, an AWS client and a rate budget, so the count stays bounded.
    public static let maximumAccounts = 1000
    public static let maximumRegions = 40

    /// `targets.regions`: the Regions of every account that does not name its own.
    public var regions: [String] = []
    public var accounts: [Account] = []

    public init(regions: [String] = [], accounts: [Account] = []) {
        self.regions = regions
        self.accounts = accounts
    }

    /// Whether the file configures targets (else the worker polls its one default target).
    public var isConfigured: Bool { !accounts.isEmpty }

    /// Every (account, Region) polled, in the file's order.
    public var accountRegions: [(account: Account, region: String)] {
        accounts.flatMap { account in account.regions.map { (account, $0) } }
    }
}
