import Bus
import Foundation
import Gateway
import Payloads
import TestSupport
import Testing

/// SSE resume with several streams: the event id carries each stream's position, so a client
/// reconnecting with `Last-Event-ID` gets every event of every stream exactly once.
@Suite(.serialized, .tags(.integration))
struct ServerSentEventsResumeTests {
    /// Received events of `streams`: (stream, envelope id, event id).
    static func received(_ text: String, streams: [StreamName]) -> [(stream: String, id: String, eventID: String?)] {
        ServerSentEventsText.events(text).compactMap { event in
            guard let name = event.event, streams.contains(where: { $0.rawValue == name }),
                let id = ResumeTests.envelopeID(event.data)
            else { return nil }
            return (name, id, event.id)
        }
    }

    /// Publishes on the streams in an uneven order (one stream runs ahead of the others), so no
    /// single id can say where each stream stands.
    static func publishUnevenly(_ gateway: RunningGateway) async throws -> [StreamName: [BusMessageID]] {
        var ids: [StreamName: [BusMessageID]] = [:]
        ids[.costs] = try await gateway.publish(1, to: .costs)
        ids[.metrics] = try await gateway.publish(3, to: .metrics)
        ids[.logs] = try await gateway.publish(2, to: .logs)
        return ids
    }

    @Test func threeStreamsAcrossTwoRestartsGetEveryEventOnce() async throws {
        try await withGateway(bus: .init(historyLength: 1000)) { gateway in
            let streams: [StreamName] = [.metrics, .logs, .costs]
            var published: [StreamName: [BusMessageID]] = [:]
            // What the first connection's snapshots are.
            for stream in streams { published[stream] = try await gateway.publish(1, to: stream) }
            var received: [(stream: String, id: String, eventID: String?)] = []
            var lastEventID: String?
            for connection in 0..<3 {
                if connection > 0 {
                    // Published while the client is away.
                    for (stream, ids) in try await Self.publishUnevenly(gateway) { published[stream, default: []] += ids }
                }
                var arguments = ["-sN", "--max-time", "3"]
                if let lastEventID { arguments += ["-H", "Last-Event-ID: \(lastEventID)"] }
                arguments.append("http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics,aws-logs,aws-costs")
                async let output = runProcess("/usr/bin/curl", arguments)
                // Whether these come live or from history on the next connection, each must come once.
                try await Task.sleep(for: .milliseconds(300))
                // Published while it is connected.
                for (stream, ids) in try await Self.publishUnevenly(gateway) { published[stream, default: []] += ids }
                let events = Self.received(try await output, streams: streams)
                received += events
                lastEventID = events.last?.eventID ?? lastEventID
            }
            for stream in streams {
                let got = received.filter { $0.stream == stream.rawValue }.map(\.id)
                #expect(got == published[stream, default: []].map(\.description), "\(stream)")
            }
            #expect(try await gateway.metric("gateway_resyncs_required_total") == 0)
        }
    }

    /// A stream whose position fell out of history is told to resync (an `error` event naming
    /// it) and gets its snapshot; the other stream resumes from its own position.
    @Test func aStreamWhosePositionFellOutOfHistoryResyncsAlone() async throws {
        try await withGateway(bus: .init(historyLength: 5)) { gateway in
            let metrics = try await gateway.publish(1, to: .metrics)
            let logs = try await gateway.publish(1, to: .logs)
            let first = try await runProcess(
                "/usr/bin/curl",
                ["-sN", "--max-time", "1", "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics,aws-logs"])
            let lastEventID = try #require(ServerSentEventsText.events(first).last?.id)
            #expect(lastEventID == "aws-metrics:\(metrics[0]),aws-logs:\(logs[0])")
            // aws-metrics moves on past its history; aws-logs does not.
            let moreMetrics = try await gateway.publish(10, to: .metrics)
            let moreLogs = try await gateway.publish(2, to: .logs)
            let second = try await runProcess(
                "/usr/bin/curl",
                [
                    "-sN", "--max-time", "1", "-H", "Last-Event-ID: \(lastEventID)",
                    "http://127.0.0.1:\(gateway.port)/events?streams=aws-metrics,aws-logs",
                ])
            let events = ServerSentEventsText.events(second)
            let errors = events.filter { $0.event == "error" }
            #expect(errors.count == 1)
            #expect(errors.first?.data.contains("\"code\":\"resync-required\"") == true)
            #expect(errors.first?.data.contains("\"stream\":\"aws-metrics\"") == true)
            let received = Self.received(second, streams: [.metrics, .logs])
            #expect(received.filter { $0.stream == "aws-metrics" }.map(\.id) == [moreMetrics[9].description])
            #expect(received.filter { $0.stream == "aws-logs" }.map(\.id) == moreLogs.map(\.description))
            #expect(received.last?.eventID == "aws-metrics:\(moreMetrics[9]),aws-logs:\(moreLogs[1])")
        }
    }
}
