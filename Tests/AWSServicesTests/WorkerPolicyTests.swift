import AWSCore
import Foundation
import TestSupport
import Testing

/// `iam/` against the code: the worker policy grants exactly the actions of the `AWSOperation`
/// cases that need a caller policy, and every AWS call in `Sources/` is built from an
/// `AWSOperation` case, so the catalog is the whole list.
struct WorkerPolicyTests {
    static let repository = TestRepository.root

    /// The worker's two policies: the reads of the six streams, and `sts:AssumeRole` into the reader
    /// role of each account it polls.
    static let workerPolicies = ["iam/worker-policy.json", "iam/worker-targets-policy.json"]

    @Test func thePoliciesGrantExactlyTheActionsTheCodeCalls() throws {
        let granted = try Self.workerPolicies.flatMap { try IAMPolicyDocument(file: $0).statements.flatMap(\.actions) }
        let called = Set(AWSOperation.allCases.filter { $0.authorization == .callerPolicy }.map(\.iamAction))

        let missing = called.subtracting(granted).sorted()
        #expect(missing.isEmpty, "the code calls \(missing) but no worker policy in iam/ grants it: add it (iam/README.md)")
        let unused = Set(granted).subtracting(called).sorted()
        #expect(unused.isEmpty, "the worker policies grant \(unused) but no AWSOperation with .callerPolicy calls it: remove it")
        #expect(granted.count == Set(granted).count, "an action is granted twice in the worker policies")
    }

    @Test func theStreamsPolicyOnlyAllowsNamedReadActions() throws {
        let policy = try IAMPolicyDocument(file: "iam/worker-policy.json")
        try Self.expectNamedReadActionsOnly(policy, file: "iam/worker-policy.json")
    }

    /// What a member account's reader role may do is what the worker may do in its own account: the
    /// stream reads, nothing else (no further `sts:AssumeRole` from there).
    @Test func theTargetRoleReadsWhatTheWorkerReads() throws {
        let role = try IAMPolicyDocument(file: "iam/target-role-policy.json")
        let worker = try IAMPolicyDocument(file: "iam/worker-policy.json")
        try Self.expectNamedReadActionsOnly(role, file: "iam/target-role-policy.json")
        #expect(Set(role.statements.flatMap(\.actions)) == Set(worker.statements.flatMap(\.actions)))
        #expect(!role.statements.flatMap(\.actions).contains(AWSOperation.stsAssumeRole.iamAction))
    }

    /// `sts:AssumeRole` on one role name, only in accounts of the organization: never `Resource: *`.
    @Test func theTargetsPolicyAssumesOnlyTheReaderRoleInsideTheOrganization() throws {
        let policy = try IAMPolicyDocument(file: "iam/worker-targets-policy.json")
        let statement = try #require(policy.statements.first)
        #expect(policy.statements.count == 1)
        #expect(statement.effect == "Allow")
        #expect(!statement.hasNegations)
        #expect(statement.actions == [AWSOperation.stsAssumeRole.iamAction])
        #expect(statement.resources.count == 1)
        for resource in statement.resources {
            #expect(resource.hasPrefix("arn:aws:iam::*:role/"), "\(resource): a role ARN")
            #expect(!resource.hasSuffix("*"), "\(resource): one role name, no wildcard")
        }
        #expect(statement.conditionKeys == ["aws:ResourceOrgID"])
    }

    /// The member account's role trusts the worker's role alone, with the external ID the worker file
    /// sets (`externalId`) and only from inside the organization.
    @Test func theTargetRoleTrustsOnlyTheWorkerWithTheExternalID() throws {
        let policy = try IAMPolicyDocument(file: "iam/target-role-trust-policy.json")
        let statement = try #require(policy.statements.first)
        #expect(policy.statements.count == 1)
        #expect(statement.effect == "Allow")
        #expect(statement.resources.isEmpty, "a trust policy has no Resource")
        let principals = try #require(statement.principal?["AWS"])
        #expect(principals.count == 1)
        #expect(principals.allSatisfy { $0.hasPrefix("arn:aws:iam::") && $0.hasSuffix(":role/aws-realtime-worker") })
        #expect(statement.actions == [AWSOperation.stsAssumeRole.iamAction])
        #expect(statement.conditionKeys == ["aws:PrincipalOrgID", "sts:ExternalId"])
    }

    static func expectNamedReadActionsOnly(_ policy: IAMPolicyDocument, file: String) throws {
        #expect(policy.version == "2012-10-17", "\(file)")
        #expect(
            Set(policy.statements.compactMap(\.sid)).count == policy.statements.count, "\(file): every statement has a unique Sid"
        )
        let readVerbs = ["Get", "List", "Describe", "Lookup", "Filter"]
        for statement in policy.statements {
            #expect(statement.effect == "Allow", "\(statement.sid ?? "?"): only Allow statements")
            #expect(!statement.hasNegations, "\(statement.sid ?? "?"): no NotAction / NotResource")
            #expect(statement.principal == nil, "\(statement.sid ?? "?"): an identity policy names no Principal")
            #expect(!statement.resources.isEmpty, "\(statement.sid ?? "?"): Resource is required")
            for action in statement.actions {
                #expect(!action.contains("*"), "\(action): no wildcards")
                let name = action.split(separator: ":").last.map(String.init) ?? ""
                #expect(readVerbs.contains { name.hasPrefix($0) }, "\(action) is not a read action")
            }
        }
    }

    @Test func theECSTrustPolicyLetsOnlyThisAccountsTasksAssumeTheRole() throws {
        let policy = try IAMPolicyDocument(file: "iam/worker-trust-policy.json")
        let statement = try #require(policy.statements.first)
        #expect(policy.statements.count == 1)
        #expect(statement.effect == "Allow")
        #expect(statement.resources.isEmpty, "a trust policy has no Resource")
        #expect(statement.principal == ["Service": ["ecs-tasks.amazonaws.com"]])
        #expect(statement.actions == ["sts:AssumeRole"])
        #expect(statement.conditionKeys == ["aws:SourceAccount", "aws:SourceArn"])
    }

    @Test func theIRSATrustPolicyIsTheWebIdentityCallOfTheCredentialChain() throws {
        let policy = try IAMPolicyDocument(file: "iam/worker-trust-policy-irsa.json")
        let statement = try #require(policy.statements.first)
        #expect(policy.statements.count == 1)
        #expect(statement.effect == "Allow")
        #expect(statement.resources.isEmpty, "a trust policy has no Resource")
        let provider = try #require(statement.principal?["Federated"]?.first)
        #expect(provider.contains(":oidc-provider/oidc.eks."))
        #expect(AWSOperation.stsAssumeRoleWithWebIdentity.authorization == .trustPolicy)
        #expect(statement.actions == [AWSOperation.stsAssumeRoleWithWebIdentity.iamAction])
        let issuer = provider.components(separatedBy: ":oidc-provider/").last ?? ""
        #expect(statement.conditionKeys == ["\(issuer):aud", "\(issuer):sub"])
    }

    /// The catalog is the whole list only if nothing builds an AWS request from a bare operation
    /// name: outside the `AWSClient` methods themselves, the wire protocols that lay requests out and
    /// `aws-realtime call` (the operator names any operation), no source passes a string operation
    /// to `operationRequest` or `call`, or makes an `AWSOperationRequest` itself.
    @Test func everyCallInTheSourcesGoesThroughTheCatalog() throws {
        let allowed: Set<String> = [
            "Sources/AWSCore/Client/AWSClient.swift", "Sources/AWSCore/Client/AWSClient+Operation.swift",
            "Sources/AWSCore/Protocols/QueryProtocol.swift", "Sources/AWSCore/Protocols/JSONProtocol.swift",
            "Sources/AWSCore/Protocols/RESTJSONProtocol.swift", "Sources/aws-realtime/CallCommand.swift",
        ]
        let stringForms = try NSRegularExpression(
            pattern: #"operationRequest\(\s*service:|\.call\(\s*[^()]*?,\s*operation:|AWSOperationRequest\(\s*service:"#)
        let sources = Self.repository.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        var offenders: [String] = []
        for file in files where !allowed.contains("Sources/" + file) {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            if stringForms.firstMatch(in: text, range: range) != nil { offenders.append("Sources/" + file) }
        }
        #expect(
            offenders.isEmpty,
            "\(offenders) build AWS requests from a string operation name: add an AWSOperation case and pass it instead")
    }
}

/// The parts of an IAM policy document these tests read.
struct IAMPolicyDocument {
    struct Statement {
        var sid: String?
        var effect: String?
        var actions: [String]
        var resources: [String]
        var principal: [String: [String]]?
        var conditionKeys: [String]
        var hasNegations: Bool
    }

    var version: String?
    var statements: [Statement]

    init(file: String) throws {
        let data = try Data(contentsOf: WorkerPolicyTests.repository.appendingPathComponent(file))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file) is a JSON object")
        version = document["Version"] as? String
        let statements = try #require(document["Statement"] as? [[String: Any]], "\(file): Statement is an array")
        self.statements = statements.map { statement in
            let principal = (statement["Principal"] as? [String: Any])?.mapValues(Self.strings)
            let conditions = (statement["Condition"] as? [String: [String: Any]]) ?? [:]
            return Statement(
                sid: statement["Sid"] as? String, effect: statement["Effect"] as? String,
                actions: Self.strings(statement["Action"]), resources: Self.strings(statement["Resource"]),
                principal: principal, conditionKeys: conditions.values.flatMap(\.keys).sorted(),
                hasNegations: statement["NotAction"] != nil || statement["NotResource"] != nil
                    || statement["NotPrincipal"] != nil)
        }
    }

    /// IAM's "a string or an array of strings".
    static func strings(_ value: Any?) -> [String] {
        if let text = value as? String { return [text] }
        return (value as? [String]) ?? []
    }
}
