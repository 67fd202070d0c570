import AWSCore
import Foundation
import Payloads
import Testing

@testable import Worker

/// A target's state from its errors, and readiness per target, as plain values.
@Suite struct WorkerTargetsHealthTests {
    static func credentialsError(code: String, status: Int) -> AWSError {
        let sts = AWSError(
            kind: .service, service: "sts", operation: "AssumeRole", code: code, message: "refused", httpStatus: status)
        return AWSError(
            kind: .credentials, service: "logs", operation: "FilterLogEvents",
            message: "assuming arn:aws:iam::333333333333:role/r failed: \(sts.description)", underlying: sts)
    }

    @Test func aDeniedRoleMakesTheTargetUnavailableWithSTSsCode() {
        var health = StreamHealth()
        let changed = health.failed(Self.credentialsError(code: "AccessDenied", status: 403), at: Date(timeIntervalSince1970: 10))
        #expect(changed)
        #expect(health.state == .unavailable)
        let data = health.data(retryAt: Date(timeIntervalSince1970: 3610))
        #expect(data.operation == "AssumeRole" && data.code == "AccessDenied")
        #expect(data.message?.contains("arn:aws:iam::333333333333:role/r") == true)
        #expect(Self.credentialsError(code: "AccessDenied", status: 403).pollErrorKey == "AssumeRole|AccessDenied")
    }

    @Test func aThrottledOrUnreachableSTSOnlyDegradesIt() {
        var health = StreamHealth()
        _ = health.failed(Self.credentialsError(code: "Throttling", status: 400), at: Date(timeIntervalSince1970: 10))
        #expect(health.state == .degraded)
        var unreachable = StreamHealth()
        _ = unreachable.failed(
            AWSError(kind: .credentials, message: "no credentials in the chain"), at: Date(timeIntervalSince1970: 10))
        #expect(unreachable.state == .degraded)
    }

    @Test func readinessLooksAtEachTarget() {
        var configuration = WorkerConfiguration()
        for stream in StreamName.allCases {
            configuration.streams[stream] = .init(
                isEnabled: stream == .logs, interval: .seconds(10), keepWarmInterval: .seconds(60))
        }
        var snapshot = WorkerStatistics.Snapshot()
        snapshot.isLeader = true
        snapshot.expectedGap[.logs] = 10
        let live = WorkerStatistics.TargetKey(stream: .logs, account: "111111111111", region: "eu-west-1")
        let denied = WorkerStatistics.TargetKey(stream: .logs, account: "333333333333", region: "eu-west-1")
        snapshot.targets[live] = .init(lastSuccess: 995)
        snapshot.targets[denied] = .init(
            state: StreamStateData(state: "unavailable", since: "", operation: "AssumeRole", code: "AccessDenied"))
        snapshot.states[.logs] = snapshot.targets[denied]?.state
        func verdict(now: Double) -> WorkerReadiness.Verdict {
            WorkerReadiness.evaluate(snapshot, configuration: configuration, isBusReachable: true, leaderSince: 900, now: now)
        }
        #expect(verdict(now: 1000).isReady, "an unavailable target does not fail readiness")
        let late = verdict(now: 1100)
        #expect(!late.isReady)
        #expect(late.reasons == ["aws-logs in 111111111111/eu-west-1 has not polled successfully for 105 s (allowed 30 s)"])
    }
}
