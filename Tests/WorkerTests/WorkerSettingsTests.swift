import AWSServices
import Payloads
import Testing

@testable import Worker

@Suite struct WorkerSettingsTests {
    static let example = """
        account: "123456789012"
        keyPrefix: "prod:"
        lease: {ttl: 20s, renewInterval: 5s}
        demand: always
        dailySpendBudget: 2.5
        streams:
          aws-metrics:
            interval: 5m
            metrics:
              - namespace: AWS/EC2
                name: CPUUtilization
                dimensions: {InstanceId: i-0abc}
                statistic: p99
                period: 60
            discovery: {namespaces: [AWS/Lambda], maxSeries: 100}
          aws-logs:
            logGroups: [/aws/lambda/orders]
            filterPattern: ERROR
          aws-costs: {groupBy: "TAG:team", forecast: false, perLinkedAccount: true}
          aws-security: {severityLabels: [HIGH, CRITICAL]}
          aws-health: {enabled: false, organizationView: true}
        """

    @Test func readsEveryGroup() throws {
        let settings = try WorkerSettings.parse(yaml: Self.example)
        #expect(settings.worker.account == "123456789012")
        #expect(settings.keyPrefix == "prod:")
        #expect(settings.worker.lease.ttl == .seconds(20) && settings.worker.lease.renewInterval == .seconds(5))
        #expect(!settings.worker.demand.isDemandDriven)
        #expect(settings.worker.dailySpendBudget == 2.5)
        #expect(settings.worker.stream(.metrics).interval == .seconds(300))
        #expect(
            settings.streams.metrics.metrics == [
                .init(
                    namespace: "AWS/EC2", name: "CPUUtilization", dimensions: ["InstanceId": "i-0abc"], statistic: "p99",
                    period: 60)
            ])
        #expect(settings.streams.metrics.discoveryNamespaces == ["AWS/Lambda"] && settings.streams.metrics.maxSeries == 100)
        #expect(settings.streams.logs.logGroups == ["/aws/lambda/orders"] && settings.streams.logs.filterPattern == "ERROR")
        #expect(settings.streams.costs.groupBy == "TAG:team" && !settings.streams.costs.includeForecast)
        #expect(settings.streams.costs.perLinkedAccount && settings.streams.health.organizationView)
        #expect(settings.streams.security.severityLabels == ["HIGH", "CRITICAL"])
        #expect(!settings.worker.stream(.health).isEnabled)
        // Untouched streams keep DESIGN.md's defaults.
        #expect(settings.worker.stream(.costs).interval == .seconds(12 * 3600))
        #expect(settings.worker.stream(.costs).keepWarmInterval == nil)
        #expect(settings.worker.stream(.metrics).keepWarmInterval == nil)
        #expect(settings.worker.stream(.logs).interval == .seconds(10))
    }

    @Test func rateBudgetsPerAPI() throws {
        let settings = try WorkerSettings.parse(
            yaml: """
                rateBudgets: {GetFindings: 1.5, GetMetricData: 20}
                streams:
                  aws-activity: {callsPerSecond: 1}
                """)
        #expect(settings.rateBudgets == [.getFindings: 1.5, .getMetricData: 20, .lookupEvents: 1])
        #expect(settings.effectiveRateBudgets[.filterLogEvents] == 5)
        #expect(settings.effectiveYAML.contains("rateBudgets:\n  LookupEvents: 1.0\n  GetFindings: 1.5\n"))
        #expect(throws: ConfigurationError.self) { try WorkerSettings.parse(yaml: "rateBudgets: {Nope: 1}") }
        do {
            _ = try WorkerSettings.parse(yaml: "rateBudgets: {FilterLogEvents: 10}")
            Issue.record("accepted more than AWS allows")
        } catch {
            #expect("\(error)".contains("rateBudgets.FilterLogEvents"))
            #expect("\(error)".contains("AWS allows at most 5.0 FilterLogEvents calls per second"))
        }
    }

    @Test func anEmptyFileIsTheDefaults() throws {
        let settings = try WorkerSettings.parse(yaml: "")
        #expect(settings.worker.lease.ttl == .seconds(15))
        #expect(settings.streams == StreamSettings())
        // The defaults as --check-config prints them (unset options as null) read back the same.
        let again = try WorkerSettings.parse(yaml: settings.effectiveYAML)
        #expect(again.effectiveYAML == settings.effectiveYAML)
        #expect(again.worker.dailySpendBudget == nil)
    }

    @Test func theEffectiveConfigurationReadsBackTheSame() throws {
        let settings = try WorkerSettings.parse(yaml: Self.example)
        let again = try WorkerSettings.parse(yaml: settings.effectiveYAML)
        #expect(again.effectiveYAML == settings.effectiveYAML)
        #expect(again.streams == settings.streams)
        #expect(again.worker.stream(.health).isEnabled == false)
    }

    @Test(arguments: [
        ("leese: {ttl: 10s}", "leese"),
        ("lease: {ttl: fast}", "lease.ttl"),
        ("lease: {ttl: 10s, renewInterval: 10s}", "lease.renewInterval"),
        ("streams: {aws-nope: {}}", "streams.aws-nope"),
        ("streams: {aws-logs: {interval: 0s}}", "streams.aws-logs.interval"),
        ("streams: {aws-logs: {logGroup: x}}", "streams.aws-logs.logGroup"),
        ("streams: {aws-metrics: {metrics: [{namespace: AWS/EC2}]}}", "streams.aws-metrics.metrics[0]"),
        (
            "streams: {aws-metrics: {metrics: [{namespace: A, name: B, statistic: Mean}]}}",
            "streams.aws-metrics.metrics[0].statistic"
        ),
        ("streams: {aws-metrics: {metrics: [{namespace: A, name: B, period: 90}]}}", "streams.aws-metrics.metrics[0].period"),
        ("streams: {aws-costs: {perLinkedAccount: maybe}}", "streams.aws-costs.perLinkedAccount"),
        ("streams: {aws-costs: {groupBy: TEAM}}", "streams.aws-costs.groupBy"),
        ("streams: {aws-security: {severityLabels: [SEVERE]}}", "streams.aws-security.severityLabels"),
        ("demand: sometimes", "demand"),
        ("streams: {aws-logs: {interval: 1h, keepWarm: 1m}}", "streams.aws-logs.keepWarm"),
        ("[1, 2]", "(file)"),
        ("a: [", "(file)"),
    ])
    func aBadFileNamesTheKey(yaml: String, key: String) {
        #expect {
            try WorkerSettings.parse(yaml: yaml)
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }
}
