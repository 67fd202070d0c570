import AWSCore
import AWSReplay
import Foundation
import Payloads
import Testing
import Worker

/// The six collectors, as `standalone` builds them for a demo run, against the demo responder
/// on 127.0.0.1 through the real path (SigV4, libcurl, wire protocols, service clients): every
/// answer parses, every payload is valid against its schema, and the incremental streams find
/// new events with new ids on the next poll.
@Suite(.timeLimit(.minutes(1))) struct DemoCollectorsTests {
    /// The ids of a payload's `events` or `findings`.
    static func ids(_ batches: [CollectedBatch]) -> Set<String> {
        var ids = Set<String>()
        for batch in batches {
            let object = (try? JSONSerialization.jsonObject(with: Data(batch.data))) as? [String: Any]
            let items = (object?["events"] ?? object?["findings"]) as? [[String: Any]] ?? []
            for item in items { if let id = (item["id"] ?? item["arn"]) as? String { ids.insert(id) } }
        }
        return ids
    }

    @Test func everyStreamParsesAndTheIncrementalOnesAdvance() async throws {
        let settings = WorkerSettings().forDemo()
        let server = ReplayServer(
            handler: DemoResponder(region: "eu-west-1", logger: CollectorFixtures.logger), logger: CollectorFixtures.logger)
        try await server.withServer { port in
            try await CollectorFixtures.withClient(endpoint: "http://127.0.0.1:\(port)") { client in
                let collectors = CollectorFactory.makeCollectors(
                    settings: settings.streams, client: client, logger: CollectorFixtures.logger)
                #expect(Set(collectors.map(\.stream)) == Set(StreamName.allCases))
                var cursors: [StreamName: [String: String]] = [:]
                var seen: [StreamName: Set<String>] = [:]
                for collector in collectors {
                    let batches = try await collector.collect(from: [:])
                    #expect(!batches.isEmpty, "no batch for \(collector.stream)")
                    try await CollectorFixtures.expectValid(batches, schema: collector.stream.rawValue)
                    cursors[collector.stream] = batches.last?.cursor ?? [:]
                    seen[collector.stream] = Self.ids(batches)
                }
                for stream in [StreamName.logs, .activity, .security, .health] {
                    #expect(!(seen[stream] ?? []).isEmpty, "no events on \(stream)")
                }
                let metrics = try #require(
                    try await collectors.first { $0.stream == .metrics }?.collect(from: [:]).first)
                let data = try JSONDecoder().decode(MetricsData.self, from: Data(metrics.data))
                #expect(data.series.count == 13)
                #expect(data.series.allSatisfy { !$0.points.isEmpty })

                // Logs happen every 2 s: a poll from the cursor 2.5 s later finds only new ones.
                try await Task.sleep(for: .milliseconds(2500))
                let logs = try #require(collectors.first { $0.stream == .logs })
                let next = try await logs.collect(from: cursors[.logs] ?? [:])
                let newIDs = Self.ids(next)
                #expect(!newIDs.isEmpty)
                #expect(newIDs.isDisjoint(with: seen[.logs] ?? []))
            }
        }
    }
}
