import Bus
import Payloads

/// The AWS accounts and regions a client sees of a stream: its token's `accounts` and `regions`
/// claims, narrowed by what its subscribe names (`accounts`/`regions` op fields, SSE query
/// parameters, Socket.IO payload fields).
///
/// A subscription with nothing to filter carries no filter at all (nil), so the relay does no
/// per-message work for it; one with a filter compares the message's ``EnvelopeOrigin`` (read once
/// per message, not per client) with two small sets. Heartbeats pass every filter; a `global`
/// region (`aws-costs`, `aws-health`) passes every region filter, the account filter still
/// applies; an envelope without an account or a region (`""`) passes only a filter that does not
/// restrict that dimension.
struct TargetFilter: Sendable, Equatable {
    /// nil: every account.
    var accounts: Set<String>?
    /// nil: every region.
    var regions: Set<String>?

    static let everything = TargetFilter(accounts: nil, regions: nil)

    var isEverything: Bool { accounts == nil && regions == nil }

    /// Whether a message from `origin` reaches a reader with this filter.
    func allows(_ origin: EnvelopeOrigin) -> Bool {
        if origin.isHeartbeat { return true }
        if let accounts, !accounts.contains(origin.account) { return false }
        if let regions, !origin.isGlobal, !regions.contains(origin.region) { return false }
        return true
    }

    /// What a reader with this scope (its token's) sees when its subscribe asks for `request`: the
    /// request, where it names something; this scope where it does not. Fails naming the first
    /// account or region the request asks for and this scope does not allow (a request may name
    /// `global` whatever the scope: global data passes every region filter).
    func narrowed(by request: TargetFilter, stream: StreamName? = nil) -> Result<TargetFilter, ClientProtocolError> {
        var result = self
        if let wanted = request.accounts {
            if let allowed = accounts, let refused = wanted.sorted().first(where: { !allowed.contains($0) }) {
                return .failure(.forbiddenAccount(refused, stream: stream))
            }
            result.accounts = wanted
        }
        if let wanted = request.regions {
            if let allowed = regions,
                let refused = wanted.sorted().first(where: { $0 != EnvelopeOrigin.globalRegion && !allowed.contains($0) })
            {
                return .failure(.forbiddenRegion(refused, stream: stream))
            }
            result.regions = wanted
        }
        return .success(result)
    }

    /// The filter of a subscription: nil when it sees everything (the relay's fast path).
    var orNilIfEverything: TargetFilter? { isEverything ? nil : self }
}

extension TargetFilter {
    /// At most this many accounts in a claim or a subscribe.
    static let maxAccounts = 1_000
    /// At most this many regions in a claim or a subscribe.
    static let maxRegions = 64

    /// Which list a value came from, for the messages.
    enum Dimension: String, Sendable {
        case accounts
        case regions
    }

    /// Parses one list of a claim or a subscribe: nil (the value absent), `"*"` or `["*"]` mean
    /// every value (nil); otherwise each must be a 12-digit account id (`accounts`) or a region
    /// name (`regions`: lowercase letters, digits and dashes like `eu-west-1`, or `global`), at
    /// most ``maxAccounts`` / ``maxRegions`` of them and at least one. The error says which value
    /// is wrong (its first 64 characters).
    static func parse(_ values: [String]?, as dimension: Dimension) -> Result<Set<String>?, TargetFilterError> {
        guard let values else { return .success(nil) }
        let limit = dimension == .accounts ? maxAccounts : maxRegions
        guard values.count <= limit else { return .failure(.init(dimension, "more than \(limit) values")) }
        if values.contains("*") {
            guard values.count == 1 else { return .failure(.init(dimension, "\"*\" stands alone")) }
            return .success(nil)
        }
        guard !values.isEmpty else { return .failure(.init(dimension, "empty: list values or \"*\" for all")) }
        for value in values {
            let isValid = dimension == .accounts ? EnvelopeTarget.isAccountID(value) : isRegionName(value)
            guard isValid else {
                let kind = dimension == .accounts ? "a 12-digit account id" : "a region name like eu-west-1"
                return .failure(.init(dimension, "'\(value.prefix(64))' is not \(kind)"))
            }
        }
        return .success(Set(values))
    }

    /// The filter a subscribe asks for with its `accounts` and `regions` lists (nil: not given).
    static func request(accounts: [String]?, regions: [String]?) -> Result<TargetFilter, ClientProtocolError> {
        let parsedAccounts: Set<String>?
        let parsedRegions: Set<String>?
        switch parse(accounts, as: .accounts) {
        case .success(let value): parsedAccounts = value
        case .failure(let error): return .failure(.badFilter(error))
        }
        switch parse(regions, as: .regions) {
        case .success(let value): parsedRegions = value
        case .failure(let error): return .failure(.badFilter(error))
        }
        return .success(TargetFilter(accounts: parsedAccounts, regions: parsedRegions))
    }

    /// A comma-separated list (an SSE query parameter, a claim given as one string); empty items
    /// are ignored.
    static func split(_ text: String?) -> [String]? {
        guard let text else { return nil }
        return text.split(separator: ",", omittingEmptySubsequences: true).map {
            String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        }
    }

    /// `global` or an AWS Region name.
    static func isRegionName(_ value: String) -> Bool {
        value == EnvelopeOrigin.globalRegion || EnvelopeTarget.isRegionName(value)
    }
}

/// Why an `accounts` or `regions` list was refused.
struct TargetFilterError: Error, Equatable, Sendable {
    let dimension: TargetFilter.Dimension
    let reason: String

    init(_ dimension: TargetFilter.Dimension, _ reason: String) {
        self.dimension = dimension
        self.reason = reason
    }

    var message: String { "\(dimension.rawValue): \(reason)" }
}
