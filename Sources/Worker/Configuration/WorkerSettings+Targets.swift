import Foundation
import Payloads
import TextFormats

extension WorkerSettings {
    /// Reads `targets`: `regions` (the default of every account) and `accounts`, each with an `id`
    /// and optional `roleArn`, `externalId`, `sessionName`, `duration` and `regions`.
    static func targets(_ node: ConfigurationNode) throws(ConfigurationError) -> WorkerTargets {
        let fields = try node.mapping(allowed: ["regions", "accounts"])
        var targets = WorkerTargets()
        if let value = fields["regions"] { targets.regions = try regions(value) }
        guard let list = fields["accounts"] else {
            throw ConfigurationError(key: node.child("accounts"), reason: "list at least one account (or remove targets)")
        }
        let items = try list.sequence()
        guard !items.isEmpty else {
            throw ConfigurationError(key: list.path, reason: "list at least one account (or remove targets)")
        }
        guard items.count <= WorkerTargets.maximumAccounts else {
            throw ConfigurationError(key: list.path, reason: "at most \(WorkerTargets.maximumAccounts) accounts")
        }
        var seen: Set<String> = []
        for item in items {
            let account = try Self.account(item, defaultRegions: targets.regions, defaultRegionsKey: node.child("regions"))
            guard seen.insert(account.id).inserted else {
                throw ConfigurationError(key: item.child("id"), reason: "account \(account.id) is listed twice")
            }
            targets.accounts.append(account)
        }
        return targets
    }

    private static func account(
        _ node: ConfigurationNode, defaultRegions: [String], defaultRegionsKey: String
    ) throws(ConfigurationError) -> WorkerTargets.Account {
        let fields = try node.mapping(allowed: ["id", "roleArn", "externalId", "sessionName", "duration", "regions"])
        guard let idNode = fields["id"] else {
            throw ConfigurationError(key: node.child("id"), reason: "an account needs its 12-digit id")
        }
        let id = try idNode.string()
        guard EnvelopeTarget.isAccountID(id) else {
            throw ConfigurationError(
                key: idNode.path, reason: "expected a 12-digit AWS account id (quote it to keep leading zeros)")
        }
        var account = WorkerTargets.Account(id: id, regions: defaultRegions)
        if let value = fields["roleArn"], !value.isNull {
            let arn = try value.string()
            guard let roleAccount = roleAccount(of: arn) else {
                throw ConfigurationError(
                    key: value.path, reason: "expected an IAM role ARN such as arn:aws:iam::\(id):role/aws-realtime-reader")
            }
            guard roleAccount == id else {
                throw ConfigurationError(key: value.path, reason: "the role is in account \(roleAccount), not in \(id)")
            }
            account.roleARN = arn
        }
        if let value = fields["externalId"], !value.isNull {
            let externalID = try value.string()
            guard AWSIdentifierSyntax.isExternalID(externalID) else {
                throw ConfigurationError(
                    key: value.path, reason: "expected 2 to 1224 letters, digits or any of _ + = , . @ : / -")
            }
            account.externalID = externalID
        }
        if let value = fields["sessionName"] {
            let name = try value.string()
            guard AWSIdentifierSyntax.isRoleSessionName(name) else {
                throw ConfigurationError(key: value.path, reason: "expected 2 to 64 letters, digits or any of _ + = , . @ -")
            }
            account.sessionName = name
        }
        if let value = fields["duration"], !value.isNull {
            account.duration = try value.duration(in: WorkerTargets.durationRange)
        }
        for key in ["externalId", "sessionName", "duration"] where fields[key] != nil && account.roleARN == nil {
            throw ConfigurationError(key: node.child(key), reason: "only applies with a roleArn to assume")
        }
        if let value = fields["regions"] { account.regions = try regions(value) }
        guard !account.regions.isEmpty else {
            throw ConfigurationError(
                key: node.child("regions"), reason: "no Regions: list them here or in \(defaultRegionsKey)")
        }
        return account
    }

    private static func regions(_ node: ConfigurationNode) throws(ConfigurationError) -> [String] {
        var regions: [String] = []
        for item in try node.sequence() {
            let region = try item.string()
            guard isRegion(region) else {
                throw ConfigurationError(key: item.path, reason: "'\(region)' is not an AWS Region name such as eu-west-1")
            }
            guard !regions.contains(region) else {
                throw ConfigurationError(key: item.path, reason: "\(region) is listed twice")
            }
            regions.append(region)
        }
        guard regions.count <= WorkerTargets.maximumRegions else {
            throw ConfigurationError(key: node.path, reason: "at most \(WorkerTargets.maximumRegions) Regions")
        }
        return regions
    }

    /// An AWS Region name (``EnvelopeTarget/isRegionName(_:)``).
    static func isRegion(_ text: String) -> Bool {
        EnvelopeTarget.isRegionName(text)
    }

    /// The account of `arn:<partition>:iam::<account>:role/<path and name>`, or nil for anything else.
    static func roleAccount(of arn: String) -> String? {
        AWSIdentifierSyntax.iamRole(arn: arn)?.account
    }
}
