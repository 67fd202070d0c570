import Payloads
import Testing

@testable import Worker

@Suite struct WorkerDemoSettingsTests {
    @Test func theDemoPollsEveryStreamWithinFifteenSecondsAndKeepsWhatTheFileSays() throws {
        let demo = WorkerSettings().forDemo()
        for stream in StreamName.allCases {
            let settings = demo.worker.stream(stream)
            #expect(settings.isEnabled)
            #expect(settings.interval >= .seconds(5) && settings.interval <= .seconds(15), "\(stream)")
            #expect((settings.keepWarmInterval ?? .zero) >= settings.interval)
        }
        #expect(demo.streams.logs.logGroups == WorkerSettings.demoLogGroups)
        #expect(demo.streams.metrics.discoveryPeriod == 10)
        #expect(demo.streams.metrics.settleDelay == .zero)

        let configured = try WorkerSettings.parse(
            yaml: """
                streams:
                  aws-costs: {enabled: false}
                  aws-logs: {logGroups: [/mine]}
                """
        ).forDemo()
        #expect(!configured.worker.stream(.costs).isEnabled)
        #expect(configured.worker.stream(.costs).interval == .seconds(15))
        #expect(configured.streams.logs.logGroups == ["/mine"])
    }
}
