import AWSCore
import Foundation
import Payloads
import Testing
import Worker

/// How configured targets become clients and poll loops, without a network.
@Suite struct WorkerTargetClientsTests {
    struct NoTransport: Transport {
        struct Unreachable: Error {}
        func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse { throw Unreachable() }
    }

    static func make(_ targets: WorkerTargets) -> WorkerTargetClients {
        WorkerTargetClients.make(
            targets: targets, rateBudgets: [.lookupEvents: 1], baseCredentials: TargetsMotoFixture.baseCredentials,
            transport: NoTransport(), environment: [:],
            retry: AWSRetryConfiguration(), logger: WorkerTesting.logger)
    }

    @Test func regionalStreamsPerRegionAndGlobalStreamsOncePerAccount() {
        let clients = Self.make(
            WorkerTargets(
                regions: ["eu-west-1", "us-east-1"],
                accounts: [
                    .init(id: "111111111111", roleARN: "arn:aws:iam::111111111111:role/r", regions: ["eu-west-1", "us-east-1"]),
                    .init(id: "222222222222", regions: ["ap-southeast-2"]),
                ]))
        #expect(
            clients.entries.map(\.target.description) == [
                "111111111111/eu-west-1", "111111111111/global", "111111111111/us-east-1", "222222222222/ap-southeast-2",
                "222222222222/global",
            ])
        for entry in clients.entries {
            if entry.target.region == WorkerTarget.globalRegion {
                #expect(entry.streams == [.costs, .health])
            } else {
                #expect(entry.streams == [.metrics, .logs, .activity, .security])
                #expect(entry.client.region == entry.target.region)
            }
            #expect(entry.target.isConfigured)
        }
        // The global streams call through the account's first Region's client.
        #expect(clients.entries[1].client === clients.entries[0].client)
        // One rate budget per (account, Region): the global target is not listed twice.
        #expect(clients.budgetReports.map(\.target.description).count == 3)
        #expect(
            clients.budgetReports.allSatisfy { report in
                report.reports.first { $0.api == .lookupEvents }?.callsPerSecond == 1
            })

        let collectors = clients.collectors(settings: StreamSettings(), logger: WorkerTesting.logger)
        #expect(collectors.map { $0.collectors.count } == [4, 2, 4, 4, 2])
        #expect(collectors[1].collectors.map(\.stream) == [.costs, .health])
    }

    @Test func theDefaultTargetKeepsTheStreamsOwnCursorAndAConfiguredOneItsOwn() {
        #expect(WorkerTarget.default(account: "1", region: "eu-west-1").cursorScope == .stream)
        #expect(
            WorkerTarget.configured(account: "111111111111", region: "global").cursorScope.keySuffix
                == ":111111111111:global")
    }
}
