import AWSCapture
import AWSCore
import AWSReplay
import AWSServices
import Bus
import Foundation
import Payloads
import TestSupport
import Testing

@testable import Worker

/// The worker's promise end to end, in process: real collectors over libcurl to the replay
/// server, the real poll loop and demand on the in-process bus.
/// Integration: libcurl to the replay server on 127.0.0.1 and the real poll loop on wall-clock timers,
/// asserting that nothing is called during a 300-500 ms window.
@Suite(.serialized, .tags(.integration)) struct WorkerContractTests {
    static func configuration(_ streams: [StreamName: WorkerConfiguration.Stream]) -> WorkerConfiguration {
        var all = streams
        for stream in StreamName.allCases where all[stream] == nil {
            all[stream] = .init(isEnabled: false, interval: .seconds(60), keepWarmInterval: nil)
        }
        return WorkerConfiguration(
            account: "123456789012", region: "eu-west-1", lease: .init(ttl: .seconds(2), renewInterval: .milliseconds(60)),
            streams: all, demand: .whileWatched, heartbeatInterval: .seconds(60), jitter: 0,
            unavailableRetryInterval: .milliseconds(600), demandCheckInterval: .milliseconds(10))
    }

    static func envelopes(_ bus: InProcessBus, _ stream: StreamName) async throws -> [(type: String, data: [String: Any])] {
        try await bus.makeSubscriber().history(of: stream, after: nil, limit: 1_000).map { message in
            let object = try JSONSerialization.jsonObject(with: Data(message.envelope.readableBytesView)) as? [String: Any]
            return (object?["type"] as? String ?? "", object?["data"] as? [String: Any] ?? [:])
        }
    }

    static func costsCaptures() -> [Capture] {
        let results = #"{"TimePeriod":{"Start":"2026-12-01","End":"2026-12-02"},"Total":{},"Groups":[],"Estimated":true}"#
        return [
            CollectorFixtures.costExplorer(
                "0001-ce-GetCostAndUsage.json", operation: "GetCostAndUsage", request: CostsCollectorTests.serviceRequest,
                response: CostsCollectorTests.page(results))
        ]
    }

    /// A billed stream (Cost Explorer) makes no request while nobody watches; the first client to
    /// stale history gets one read at once; a second client to fresh history gets no call.
    @Test func aBilledStreamMakesNoCallWhileNobodyWatches() async throws {
        try await CollectorFixtures.withReplay(Self.costsCaptures()) { client in
            var settings = CostsSettings()
            settings.includeForecast = false
            let collector = CostsCollector(
                costExplorer: CostExplorerClient(client: client, logger: CollectorFixtures.logger), settings: settings,
                logger: CollectorFixtures.logger)
            let bus = InProcessBus()
            let worker = Worker(
                configuration: Self.configuration([.costs: .defaults(for: .costs)]), collectors: [collector], bus: bus,
                logger: WorkerTesting.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await worker.run() }
                #expect(await WorkerTesting.eventually { worker.lease.validEpoch != nil })
                try await Task.sleep(for: .milliseconds(500))
                #expect(collector.costExplorer.usage.total.requests == 0, "nobody watches: no billed call")
                let first = bus.makeSubscriber()
                try await first.subscribe(to: .costs)
                #expect(await WorkerTesting.eventually { collector.costExplorer.usage.total.requests == 1 })
                #expect(await WorkerTesting.eventually { try await Self.envelopes(bus, .costs).count == 1 })
                let second = bus.makeSubscriber()
                try await second.subscribe(to: .costs)
                try await Task.sleep(for: .milliseconds(500))
                #expect(collector.costExplorer.usage.total.requests == 1, "fresh history: the new client gets it, no call")
                first.close()
                second.close()
                worker.stop()
            }
        }
    }

    /// AWS Health without a support plan: `unavailable` is published once with the AWS error, the
    /// API is tried again only at the retry interval, and `live` is published when it answers.
    /// Every request counts in the stream's calls, though no poll found anything.
    @Test func anUnavailableStreamSaysWhyOnceAndRecovers() async throws {
        var captures = try IncrementalFixtures.captures("collectors-health/incremental")
        let headers = captures[0].response?.headers ?? []
        var refusal = captures[0]
        refusal.name = "0001-health-DescribeEvents.json"
        refusal.response = CapturedResponse(
            status: 400, headers: headers,
            body: Array(
                #"{"__type":"SubscriptionRequiredException","message":"AWS Premium Support Subscription is required to use this service."}"#
                    .utf8))
        var empty = captures[0]
        empty.name = "0002-health-DescribeEvents.json"
        empty.response = CapturedResponse(status: 200, headers: headers, body: Array(#"{"events":[]}"#.utf8))
        captures = [refusal, refusal, empty]
        try await IncrementalFixtures.withReplay(captures) { client in
            let collector = HealthCollector(
                client: HealthClient(client: client, logger: IncrementalFixtures.logger), settings: HealthSettings(),
                logger: IncrementalFixtures.logger)
            let bus = InProcessBus()
            var configuration = Self.configuration([.health: .init(interval: .milliseconds(50), keepWarmInterval: nil)])
            configuration.demand = .always
            let worker = Worker(
                configuration: configuration, collectors: [collector], bus: bus, logger: WorkerTesting.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await worker.run() }
                #expect(await WorkerTesting.eventually { try await Self.envelopes(bus, .health).count == 1 })
                let unavailable = try await Self.envelopes(bus, .health)[0]
                #expect(unavailable.type == "stream-state")
                #expect(unavailable.data["state"] as? String == "unavailable")
                #expect(unavailable.data["code"] as? String == "SubscriptionRequiredException")
                #expect(unavailable.data["operation"] as? String == "DescribeEvents")
                #expect(unavailable.data["retryAt"] is String)
                #expect(worker.statistics.snapshot.states[.health]?.state == "unavailable")
                // At 50 ms intervals a failing stream would ask again and again; unavailable, it
                // waits for the retry interval (600 ms) before its second request.
                try await Task.sleep(for: .milliseconds(300))
                #expect(collector.source.usage.total.requests == 1)
                #expect(await WorkerTesting.eventually { collector.source.usage.total.requests >= 3 })
                #expect(await WorkerTesting.eventually { try await Self.envelopes(bus, .health).count == 2 })
                let envelopes = try await Self.envelopes(bus, .health)
                #expect(envelopes.map(\.type) == ["stream-state", "stream-state"])
                #expect(envelopes[1].data["state"] as? String == "live")
                #expect(worker.statistics.snapshot.states[.health]?.state == "live")
                // Every request counted, though no poll published anything but states.
                let snapshot = worker.statistics.snapshot
                #expect(snapshot.awsCalls[.health] == collector.source.usage.total.requests)
                #expect(snapshot.awsUsage["DescribeEvents"]?.outcomes[.clientError] == 2)
                worker.stop()
            }
        }
    }
}
