import Payloads
import Testing

@testable import Worker

/// `targets` in the worker's file: accounts, roles and Regions, and errors that name the key.
@Suite struct WorkerTargetsSettingsTests {
    static let example = """
        targets:
          regions: [eu-west-1, us-east-1]
          accounts:
            - id: "111111111111"
              roleArn: arn:aws:iam::111111111111:role/aws-realtime-reader
              externalId: "tenant-7f3a"
              duration: 1h
            - id: "222222222222"
              roleArn: arn:aws:iam::222222222222:role/team/aws-realtime-reader
              sessionName: realtime-eu
              regions: [eu-west-1]
            - id: "012345678901"
        """

    @Test func readsAccountsRolesAndRegions() throws {
        let targets = try WorkerSettings.parse(yaml: Self.example).targets
        #expect(targets.isConfigured)
        #expect(targets.regions == ["eu-west-1", "us-east-1"])
        #expect(targets.accounts.map(\.id) == ["111111111111", "222222222222", "012345678901"])
        let first = targets.accounts[0]
        #expect(first.roleARN == "arn:aws:iam::111111111111:role/aws-realtime-reader")
        #expect(first.externalID == "tenant-7f3a")
        #expect(first.sessionName == "aws-realtime")
        #expect(first.duration == .seconds(3600))
        #expect(first.regions == ["eu-west-1", "us-east-1"])
        let second = targets.accounts[1]
        #expect(second.sessionName == "realtime-eu")
        #expect(second.duration == nil && second.externalID == nil)
        #expect(second.regions == ["eu-west-1"])
        let third = targets.accounts[2]
        #expect(third.roleARN == nil, "no role: the base credential chain directly")
        #expect(third.regions == ["eu-west-1", "us-east-1"])
        #expect(targets.accountRegions.count == 5)
    }

    @Test func withoutTargetsTheWorkerHasItsOneDefaultTarget() throws {
        #expect(!(try WorkerSettings.parse(yaml: "account: \"123456789012\"").targets.isConfigured))
        #expect(!(try WorkerSettings.parse(yaml: "targets: null").targets.isConfigured))
        #expect(!WorkerSettings().targets.isConfigured)
    }

    @Test func theEffectiveConfigurationListsTheTargetsAndReadsBackTheSame() throws {
        let settings = try WorkerSettings.parse(yaml: Self.example)
        let yaml = settings.effectiveYAML
        #expect(yaml.contains("targets:\n  regions: [\"eu-west-1\", \"us-east-1\"]\n  accounts:\n    - id: \"111111111111\"\n"))
        #expect(yaml.contains("      sessionName: \"aws-realtime\"\n      duration: 1h\n"))
        let again = try WorkerSettings.parse(yaml: yaml)
        #expect(again.targets == settings.targets)
        #expect(again.effectiveYAML == yaml)
        #expect(WorkerSettings().effectiveYAML.contains("targets: null\n"))
    }

    @Test(arguments: [
        ("targets: {regions: [eu-west-1]}", "targets.accounts", "at least one account"),
        ("targets: {accounts: []}", "targets.accounts", "at least one account"),
        ("targets: {accounts: [{id: \"1234\"}], regions: [eu-west-1]}", "targets.accounts[0].id", "12-digit"),
        ("targets: {accounts: [{roleArn: x}], regions: [eu-west-1]}", "targets.accounts[0].id", "12-digit id"),
        (
            "targets: {accounts: [{id: \"111111111111\", roleArn: \"arn:aws:iam::111111111111:user/me\"}], regions: [eu-west-1]}",
            "targets.accounts[0].roleArn", "IAM role ARN"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\"}, {id: \"222222222222\"}, {id: \"333333333333\", roleArn: \"arn:aws:iam::444444444444:role/r\"}], regions: [eu-west-1]}",
            "targets.accounts[2].roleArn", "in account 444444444444, not in 333333333333"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\", roleArn: \"arn:aws:iam::111111111111:role/r\", duration: 5m}], regions: [eu-west-1]}",
            "targets.accounts[0].duration", "from 15m to 12h"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\", roleArn: \"arn:aws:iam::111111111111:role/r\", duration: 13h}], regions: [eu-west-1]}",
            "targets.accounts[0].duration", "from 15m to 12h"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\", roleArn: \"arn:aws:iam::111111111111:role/r\", sessionName: \"has space\"}], regions: [eu-west-1]}",
            "targets.accounts[0].sessionName", "2 to 64"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\", roleArn: \"arn:aws:iam::111111111111:role/r\", externalId: \"x\"}], regions: [eu-west-1]}",
            "targets.accounts[0].externalId", "2 to 1224"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\", externalId: \"abc\"}], regions: [eu-west-1]}",
            "targets.accounts[0].externalId", "only applies with a roleArn"
        ),
        ("targets: {accounts: [{id: \"111111111111\"}]}", "targets.accounts[0].regions", "targets.regions"),
        ("targets: {accounts: [{id: \"111111111111\", regions: [Europe]}]}", "targets.accounts[0].regions[0]", "Region name"),
        ("targets: {accounts: [{id: \"111111111111\"}], regions: [eu-west-1, global]}", "targets.regions[1]", "Region name"),
        ("targets: {accounts: [{id: \"111111111111\"}], regions: [eu-west-1, eu-west-1]}", "targets.regions[1]", "twice"),
        (
            "targets: {accounts: [{id: \"111111111111\"}, {id: \"111111111111\"}], regions: [eu-west-1]}",
            "targets.accounts[1].id", "listed twice"
        ),
        (
            "targets: {accounts: [{id: \"111111111111\", role: x}], regions: [eu-west-1]}", "targets.accounts[0].role",
            "unknown key"
        ),
        ("targets: {account: []}", "targets.account", "unknown key"),
    ])
    func errorsNameTheKey(yaml: String, key: String, reason: String) {
        #expect {
            try WorkerSettings.parse(yaml: yaml)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && error.reason.contains(reason)
        }
    }

    @Test func roleARNsOfEveryPartitionAndPath() {
        #expect(WorkerSettings.roleAccount(of: "arn:aws:iam::111111111111:role/r") == "111111111111")
        #expect(WorkerSettings.roleAccount(of: "arn:aws-us-gov:iam::111111111111:role/a/b/r") == "111111111111")
        #expect(WorkerSettings.roleAccount(of: "arn:aws-cn:iam::111111111111:role/r+=,.@-_") == "111111111111")
        #expect(WorkerSettings.roleAccount(of: "arn:aws:sts::111111111111:assumed-role/r/s") == nil)
        #expect(WorkerSettings.roleAccount(of: "arn:aws:iam::11111111111:role/r") == nil)
        #expect(WorkerSettings.roleAccount(of: "arn:aws:iam::111111111111:role/") == nil)
        #expect(WorkerSettings.isRegion("us-gov-west-1") && WorkerSettings.isRegion("ap-southeast-5"))
        #expect(!WorkerSettings.isRegion("global") && !WorkerSettings.isRegion("EU-WEST-1"))
    }
}
