import AWSServices
import Logging
import Payloads

/// Cost Explorer's `LINKED_ACCOUNT` grouping from an organization's management account, turned
/// into one month-to-date answer per linked account.
///
/// The request groups by `LINKED_ACCOUNT` and then by the stream's own grouping (Cost Explorer
/// takes two); when the stream's grouping is `LINKED_ACCOUNT` itself, by that alone. Each linked
/// account's answer keeps only its own groups, keyed by the stream's grouping, so it normalizes
/// exactly as a member account's own answer would.
struct CostsLinkedAccountSplit: Sendable {
    static let linkedAccount = "LINKED_ACCOUNT"

    let grouping: CostsGrouping

    /// The `GroupBy` of the request.
    var groupBy: [GetCostAndUsageInput.GroupDefinition] {
        isGroupedByAccountOnly ? [grouping.definition] : [.dimension(Self.linkedAccount), grouping.definition]
    }

    private var isGroupedByAccountOnly: Bool {
        !grouping.isTag && grouping.label == Self.linkedAccount
    }

    /// One answer per linked account, by account id. A group whose account key is not a 12-digit
    /// id (never seen from AWS) is left out, with a warning, rather than published under the
    /// management account's id.
    func outputs(_ output: GetCostAndUsageOutput, logger: Logger) -> [(account: String, output: GetCostAndUsageOutput)] {
        var byAccount: [String: GetCostAndUsageOutput] = [:]
        var skipped = 0
        for (index, result) in output.resultsByTime.enumerated() {
            for group in result.groups {
                guard let account = group.keys.first, EnvelopeTarget.isAccountID(account) else {
                    skipped += 1
                    continue
                }
                var own = group
                if !isGroupedByAccountOnly { own.keys = Array(group.keys.dropFirst()) }
                byAccount[account, default: emptyCopy(of: output)].resultsByTime[index].groups.append(own)
            }
        }
        if skipped > 0 {
            logger.warning(
                "Cost Explorer groups without a linked account id were left out",
                metadata: ["aws.operation": "GetCostAndUsage", "worker.costs.skippedGroups": "\(skipped)"])
        }
        return byAccount.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// `output`'s periods without their groups or totals: an account without costs on a day still
    /// has that day, at zero.
    private func emptyCopy(of output: GetCostAndUsageOutput) -> GetCostAndUsageOutput {
        var copy = output
        for index in copy.resultsByTime.indices {
            copy.resultsByTime[index].groups = []
            copy.resultsByTime[index].total = [:]
        }
        return copy
    }
}
