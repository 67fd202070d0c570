import AWSCore
import Bus
import Foundation
import Logging
import Payloads
import TestSupport
import Testing
import Worker

/// One worker for two accounts in two Regions against the PyPI moto server: each account reached
/// by `sts:AssumeRole` (moto acts in the role's account with the credentials it hands out), the
/// data of each (account, Region) seeded through the worker's own per-target clients, and every
/// envelope checked for the account and Region it came from. STS can also be a local server that
/// refuses one role (moto does not enforce IAM) while it forwards the others to moto.
@Suite(.serialized, .tags(.integration)) struct WorkerTargetsMotoTests {
    static let accounts = ["111111111111", "222222222222"]
    static let regions = ["eu-west-1", "us-east-1"]

    static func targets(accounts: [String], regions: [String]) -> WorkerTargets {
        WorkerTargets(
            regions: regions,
            accounts: accounts.map { id in
                WorkerTargets.Account(
                    id: id, roleARN: "arn:aws:iam::\(id):role/aws-realtime-reader", externalID: "tenant-\(id)",
                    duration: .seconds(900), regions: regions)
            })
    }

    @Test func twoAccountsInTwoRegionsEachEnvelopeFromItsOwnTarget() async throws {
        try await withMotoServer { moto in
            try await withCurlTransport(logger: WorkerTesting.logger) { transport in
                let clients = WorkerTargetClients.make(
                    targets: Self.targets(accounts: Self.accounts, regions: Self.regions), rateBudgets: [:],
                    baseCredentials: TargetsMotoFixture.baseCredentials, transport: transport,
                    environment: ["AWS_ENDPOINT_URL": moto.endpointURL],
                    retry: AWSRetryConfiguration(maxAttempts: 2, backoffUnit: .milliseconds(5)), logger: WorkerTesting.logger)
                // Four regional targets and one global target per account.
                #expect(clients.entries.count == 6)
                for entry in clients.entries where entry.target.region != WorkerTarget.globalRegion {
                    try await TargetsMotoFixture.seed(entry, findings: true)
                }
                let bus = InProcessBus()
                let worker = Worker(
                    configuration: TargetsMotoFixture.configuration(streams: [.logs, .metrics, .security, .costs]),
                    targets: clients.collectors(settings: TargetsMotoFixture.streamSettings, logger: WorkerTesting.logger),
                    bus: bus, logger: WorkerTesting.logger)
                let regional = Self.accounts.flatMap { account in Self.regions.map { "\(account)/\($0)" } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await worker.run() }
                    let complete = await WorkerTesting.eventually(timeout: .seconds(60)) {
                        let logs = try await TargetsMotoFixture.envelopes(bus, stream: .logs, as: LogsData.self)
                        let metrics = try await TargetsMotoFixture.envelopes(bus, stream: .metrics, as: MetricsData.self)
                        let security = try await TargetsMotoFixture.envelopes(bus, stream: .security, as: SecurityData.self)
                        let costs = try await TargetsMotoFixture.envelopes(bus, stream: .costs, as: CostsData.self)
                        func origins<P>(_ envelopes: [Envelope<P>]) -> Set<String> {
                            Set(envelopes.map { "\($0.account)/\($0.region)" })
                        }
                        return origins(logs) == Set(regional) && origins(metrics) == Set(regional)
                            && origins(security) == Set(regional) && origins(costs).count == 2
                    }
                    #expect(complete, "every stream published in every target")
                    worker.stop()
                    try await group.next()
                }

                for envelope in try await TargetsMotoFixture.envelopes(bus, stream: .logs, as: LogsData.self) {
                    let tag = "\(envelope.account)/\(envelope.region)"
                    #expect(envelope.data.events.map(\.message) == ["hello from \(tag)"], "logs of \(tag)")
                }
                for envelope in try await TargetsMotoFixture.envelopes(bus, stream: .metrics, as: MetricsData.self) {
                    let tag = "\(envelope.account)/\(envelope.region)"
                    #expect(envelope.data.series.map { $0.dimensions["Target"] } == [tag], "metrics of \(tag)")
                }
                for envelope in try await TargetsMotoFixture.envelopes(bus, stream: .security, as: SecurityData.self) {
                    let id = "finding-\(envelope.account)-\(envelope.region)"
                    #expect(envelope.data.findings.map(\.id) == [id])
                    #expect(envelope.data.findings.allSatisfy { $0.account == envelope.account })
                }
                // Cost Explorer is global: once per account, in region `global`.
                let costs = try await TargetsMotoFixture.envelopes(bus, stream: .costs, as: CostsData.self)
                #expect(Set(costs.map { "\($0.account)/\($0.region)" }) == Set(Self.accounts.map { "\($0)/global" }))
                #expect(try await TargetsMotoFixture.states(bus, stream: .logs).isEmpty, "no target failed")

                // Each target's cursor under its own key; the stream's own cursor untouched.
                for account in Self.accounts {
                    for region in Self.regions {
                        let cursor = try await bus.cursor(of: .logs, scope: .target(account: account, region: region))
                        #expect(!cursor.isEmpty, "logs cursor of \(account)/\(region)")
                    }
                    #expect(!(try await bus.cursor(of: .costs, scope: .target(account: account, region: "global"))).isEmpty)
                }
                #expect(try await bus.cursor(of: .logs) == [:])
            }
        }
    }

    /// The role of a third account cannot be assumed: its target is `unavailable` with STS's
    /// `AccessDenied` in its own `stream-state` envelope, while the other account publishes.
    @Test func aTargetWhoseRoleIsDeniedIsUnavailableWhileTheOthersPublish() async throws {
        let denied = "333333333333"
        try await withMotoServer { moto in
            try await withHTTPTestServer(handler: { request in
                await STSForwarder.answer(request, motoPort: moto.port, deniedAccount: denied)
            }) { sts in
                try await withCurlTransport(logger: WorkerTesting.logger) { transport in
                    let environment = ["AWS_ENDPOINT_URL": moto.endpointURL, "AWS_ENDPOINT_URL_STS": sts.url("")]
                    let clients = WorkerTargetClients.make(
                        targets: Self.targets(accounts: ["111111111111", denied], regions: ["eu-west-1"]), rateBudgets: [:],
                        baseCredentials: TargetsMotoFixture.baseCredentials, transport: transport, environment: environment,
                        retry: AWSRetryConfiguration(maxAttempts: 1, backoffUnit: .milliseconds(5)),
                        logger: WorkerTesting.logger)
                    for entry in clients.entries where entry.target == .configured(account: "111111111111", region: "eu-west-1") {
                        try await TargetsMotoFixture.seed(entry, findings: false)
                    }
                    let bus = InProcessBus()
                    let statistics = WorkerStatistics()
                    let worker = Worker(
                        configuration: TargetsMotoFixture.configuration(streams: [.logs]),
                        targets: clients.collectors(settings: TargetsMotoFixture.streamSettings, logger: WorkerTesting.logger),
                        bus: bus, statistics: statistics, logger: WorkerTesting.logger)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { await worker.run() }
                        let settled = await WorkerTesting.eventually(timeout: .seconds(30)) {
                            let logs = try await TargetsMotoFixture.envelopes(bus, stream: .logs, as: LogsData.self)
                            let states = try await TargetsMotoFixture.states(bus, stream: .logs)
                            return !logs.isEmpty && !states.isEmpty
                        }
                        #expect(settled)
                        worker.stop()
                        try await group.next()
                    }
                    let logs = try await TargetsMotoFixture.envelopes(bus, stream: .logs, as: LogsData.self)
                    #expect(logs.allSatisfy { $0.account == "111111111111" && $0.region == "eu-west-1" })
                    #expect(logs.first?.data.events.map(\.message) == ["hello from 111111111111/eu-west-1"])
                    let states = try await TargetsMotoFixture.states(bus, stream: .logs)
                    #expect(states.count == 1)
                    let state = try #require(states.first)
                    #expect(state.account == denied && state.region == "eu-west-1")
                    #expect(state.data.state == "unavailable")
                    #expect(state.data.operation == "AssumeRole")
                    #expect(state.data.code == "AccessDenied")
                    #expect(state.data.message?.contains("arn:aws:iam::\(denied):role/aws-realtime-reader") == true)
                    #expect(state.data.retryAt != nil)
                    let key = WorkerStatistics.TargetKey(stream: .logs, account: denied, region: "eu-west-1")
                    #expect(statistics.snapshot.targets[key]?.state?.code == "AccessDenied")
                    // The denied role was asked for once per failed poll, the other role's credentials were cached.
                    let assumeRoles = sts.requests.filter { String(decoding: $0.body, as: UTF8.self).contains("AssumeRole") }
                    let allowed = assumeRoles.filter { !String(decoding: $0.body, as: UTF8.self).contains(denied) }
                    #expect(allowed.count == 1, "one AssumeRole for the allowed account, then its cached credentials")
                    #expect(assumeRoles.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("ExternalId=tenant-") })
                }
            }
        }
    }
}
