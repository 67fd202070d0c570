import AWSCapture
import TextFormats

/// Who the demo is answering: the account and region a request was signed for, so that one demo
/// endpoint serves a worker with many targets and each target sees its own account and region in
/// ARNs, events and findings.
///
/// The region is the SigV4 credential scope's; the account is encoded in the access key the
/// demo's `AssumeRole` hands out (`ASIADEMO` followed by the 12 digits). Anything else (the
/// demo's own static key, a malformed header) falls back to the demo's account and region.
struct DemoCaller: Equatable {
    var account: String
    var region: String

    /// The prefix of the access keys the demo's `AssumeRole` issues.
    static let assumedKeyPrefix = "ASIADEMO"

    init(account: String, region: String) {
        self.account = account
        self.region = region
    }

    init(_ request: CapturedRequest, defaultAccount: String, defaultRegion: String) {
        account = defaultAccount
        region = defaultRegion
        // AWS4-HMAC-SHA256 Credential=KEY/20261206/eu-west-1/monitoring/aws4_request, SignedHeaders=…
        guard let authorization = request.header("Authorization"), authorization.utf8.count <= 4096,
            let credential = authorization.split(separator: " ").first(where: { $0.hasPrefix("Credential=") })
        else { return }
        let scope = credential.dropFirst("Credential=".count).split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5 else { return }
        if let key = Self.account(inAccessKey: scope[0]) { account = key }
        if AWSIdentifierSyntax.isRegionName(scope[2]) { region = String(scope[2]) }
    }

    /// The access key the demo issues for `account`.
    static func accessKey(for account: String) -> String {
        assumedKeyPrefix + account
    }

    static func account(inAccessKey key: Substring) -> String? {
        guard key.hasPrefix(assumedKeyPrefix) else { return nil }
        let digits = key.dropFirst(assumedKeyPrefix.count)
        return AWSIdentifierSyntax.isAccountID(digits) ? String(digits) : nil
    }
}
