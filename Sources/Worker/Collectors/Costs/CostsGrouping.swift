import AWSServices

/// `CostsSettings.groupBy` as a Cost Explorer grouping: `SERVICE` and the other dimensions
/// group by `{Type: DIMENSION}`, `TAG:<key>` by `{Type: TAG, Key: <key>}`.
struct CostsGrouping: Sendable, Hashable {
    var definition: GetCostAndUsageInput.GroupDefinition
    /// What the payload's `groupBy` says: the dimension, or the tag key.
    var label: String

    var isTag: Bool { definition.type == "TAG" }

    /// - Throws: `ConfigurationError` for `TAG:` without a key or an empty value.
    init(_ setting: String) throws(ConfigurationError) {
        if setting.hasPrefix("TAG:") {
            let key = String(setting.dropFirst("TAG:".count))
            guard !key.isEmpty else {
                throw ConfigurationError(key: "streams.aws-costs.groupBy", reason: "TAG: needs a tag key (TAG:<key>)")
            }
            definition = .tag(key)
            label = key
        } else {
            guard !setting.isEmpty else {
                throw ConfigurationError(key: "streams.aws-costs.groupBy", reason: "empty grouping")
            }
            definition = .dimension(setting)
            label = setting
        }
    }

    /// The group's name in the payload: tag groups come as `key$value`, shown as the value,
    /// `(untagged)` when the resource has no such tag.
    func groupName(_ keys: [String]) -> String {
        let key = keys.first ?? ""
        guard isTag else { return key.isEmpty ? "(none)" : key }
        let value = key.firstIndex(of: "$").map { String(key[key.index(after: $0)...]) } ?? key
        return value.isEmpty ? "(untagged)" : value
    }
}
