import AWSCore
import AWSReplay
import Foundation
import Logging
import Payloads
import Testing
import Worker

/// A demo run keeps the file's `targets`: each account's role is assumed at the demo AWS, and
/// every target's data comes back in that target's account and Region, through the real path
/// (SigV4, libcurl, STS, the collectors).
@Suite(.timeLimit(.minutes(1))) struct DemoTargetsTests {
    @Test func aDemoRunPollsEveryTargetInItsOwnAccountAndRegion() async throws {
        var settings = WorkerSettings()
        settings.targets = WorkerTargets(
            regions: ["eu-west-1", "ap-southeast-2"],
            accounts: ["111111111111", "222222222222"].map {
                WorkerTargets.Account(
                    id: $0, roleARN: "arn:aws:iam::\($0):role/aws-realtime-reader", regions: ["eu-west-1", "ap-southeast-2"])
            })
        let demo = settings.forDemo()
        #expect(demo.targets == settings.targets)

        let logger = Logger(label: "aws-realtime.tests.demo-targets")
        let server = ReplayServer(handler: DemoResponder(region: "eu-west-1", logger: logger), logger: logger)
        try await server.withServer { port in
            try await withCurlTransport(logger: logger) { transport in
                let base = EnvironmentCredentialProvider(environment: [
                    "AWS_ACCESS_KEY_ID": DemoResponder.accessKeyID, "AWS_SECRET_ACCESS_KEY": DemoResponder.secretAccessKey,
                ])
                let clients = WorkerTargetClients.make(
                    targets: demo.targets, rateBudgets: demo.effectiveRateBudgets, baseCredentials: base,
                    transport: transport, environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)"],
                    retry: AWSRetryConfiguration(maxAttempts: 1), logger: logger)
                var polled: Set<String> = []
                for entry in clients.collectors(settings: demo.streams, logger: logger) {
                    guard let security = entry.collectors.first(where: { $0.stream == .security }) else { continue }
                    let batches = try await security.collect(from: [:])
                    let findings = try batches.flatMap {
                        try JSONDecoder().decode(SecurityData.self, from: Data($0.data)).findings
                    }
                    #expect(!findings.isEmpty, "no findings in \(entry.target)")
                    #expect(findings.allSatisfy { $0.account == entry.target.account }, "\(entry.target)")
                    #expect(findings.allSatisfy { $0.region == entry.target.region }, "\(entry.target)")
                    polled.insert(entry.target.description)
                }
                #expect(
                    polled == [
                        "111111111111/eu-west-1", "111111111111/ap-southeast-2", "222222222222/eu-west-1",
                        "222222222222/ap-southeast-2",
                    ])
            }
        }
    }
}
